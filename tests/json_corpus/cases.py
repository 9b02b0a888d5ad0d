"""JSON texts a server may be sent, by name: y_ must be accepted, n_ rejected, i_ is ours to decide.

Written for Conduit (not copied from JSONTestSuite, whose naming it follows). The verdict for every
case is `accepts(text)` (README.md): what both Python's `json.loads` and pydantic-core's
`from_json` (the parser of the official SDK's server) accept. tests/test_json_corpus.py checks
that each y_ case is accepted and each n_ case rejected by both, that each i_ case is one where
they differ or that sits on a limit, and sends every case to the servers.
"""

from __future__ import annotations

import json

import pydantic_core

DEPTH = 200  # pydantic-core's nesting limit (json.loads stops near the recursion limit, ~1000)


def accepts(text: bytes) -> bool:
    """The rule: accepted by both of Python's parsers (json.loads of the bytes, and the SDK's)."""
    return python_accepts(text) and sdk_accepts(text)


def python_accepts(text: bytes) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def sdk_accepts(text: bytes) -> bool:
    try:
        pydantic_core.from_json(text)
    except ValueError:
        return False
    return True


CASES: dict[str, bytes] = {
    # ---- numbers
    "y_number_zero": b"[0]",
    "y_number_negative_zero": b"[-0]",
    "y_number_negative_zero_float": b"[-0.0]",
    "y_number_int64_max": b"[9223372036854775807]",
    "y_number_int64_min": b"[-9223372036854775808]",
    "y_number_past_int64": b"[9223372036854775808]",
    "y_number_past_uint64": b"[18446744073709551616]",
    "y_number_4300_digits": b"[" + b"7" * 4300 + b"]",
    "y_number_negative_4300_digits": b"[-" + b"7" * 4300 + b"]",
    "y_number_long_fraction": b"[0." + b"3" * 5000 + b"]",
    "y_number_exponents": b"[1e2, 1E2, 1e+2, 1e-2, 1.5E-0, 0e0, -0e-0]",
    "y_number_huge_exponent": b"[1e999]",
    "y_number_negative_huge_exponent": b"[-1e999]",
    "y_number_tiny": b"[1e-999]",
    "y_number_exponent_past_int64": b"[1e99999999999999999999]",
    "y_number_subnormal": b"[4.9e-324]",
    "y_number_double_max": b"[1.7976931348623157e308]",
    "y_number_nan": b"[NaN]",
    "y_number_infinity": b"[Infinity]",
    "y_number_minus_infinity": b"[-Infinity]",
    "y_number_bare": b"42",
    "n_number_leading_zero": b"[01]",
    "n_number_negative_leading_zero": b"[-01]",
    "n_number_trailing_dot": b"[1.]",
    "n_number_leading_dot": b"[.1]",
    "n_number_plus": b"[+1]",
    "n_number_hex": b"[0x10]",
    "n_number_exponent_without_digits": b"[1e]",
    "n_number_exponent_sign_only": b"[1e+]",
    "n_number_minus_only": b"[-]",
    "n_number_double_minus": b"[--1]",
    "n_number_two_dots": b"[1.2.3]",
    "n_number_nan_lowercase": b"[nan]",
    "n_number_minus_nan": b"[-NaN]",
    "n_number_plus_infinity": b"[+Infinity]",
    "n_number_inf": b"[inf]",
    "n_number_infinity_lowercase": b"[infinity]",
    "n_number_int_4301_digits": b"[" + b"7" * 4301 + b"]",
    "n_number_negative_int_4301_digits": b"[-" + b"7" * 4301 + b"]",
    "n_number_comma_decimal": b"[1,5e]",
    "n_number_space_inside": b"[1 000]",
    "n_number_fullwidth_digit": "[\uff11]".encode(),
    "i_number_float_4301_integer_digits": b"[" + b"7" * 4301 + b".5]",
    "i_number_exponent_4301_integer_digits": b"[" + b"7" * 4301 + b"e1]",
    # ---- strings
    "y_string_empty": b'[""]',
    "y_string_escapes": b'["\\" \\\\ \\/ \\b \\f \\n \\r \\t"]',
    "y_string_escaped_nul": b'["\\u0000"]',
    "y_string_escaped_bmp": b'["\\u00e9\\u20AC\\uFFFF"]',
    "y_string_surrogate_pair": b'["\\uD834\\uDD1E"]',
    "y_string_last_code_point": b'["\\uDBFF\\uDFFF"]',
    "y_string_utf8": '["é€😀\u2028\u2029"]'.encode(),
    "y_string_del": b'["\x7f"]',
    "y_string_noncharacter": b'["\xef\xbf\xbf"]',
    "y_string_max_utf8": b'["\xf4\x8f\xbf\xbf"]',
    "y_string_long": b'["' + b"x" * 200_000 + b'"]',
    "y_string_many_escapes": b'["' + b"\\n\\u00e9" * 10_000 + b'"]',
    "y_string_bare": b'"text"',
    "n_string_unterminated": b'["abc]',
    "n_string_escape_at_end": b'["\\"]',
    "n_string_unknown_escape": b'["\\x41"]',
    "n_string_escaped_apostrophe": b'["\\\'"]',
    "n_string_short_unicode_escape": b'["\\u12"]',
    "n_string_bad_hex": b'["\\u12G4"]',
    "n_string_uppercase_u": b'["\\U0041"]',
    "n_string_tab": b'["\t"]',
    "n_string_newline": b'["\n"]',
    "n_string_nul": b'["\x00"]',
    "n_string_nul_inside": b'["a\x00b"]',
    "n_string_unit_separator": b'["\x1f"]',
    "n_string_single_quotes": b"['a']",
    "n_string_byte_ff": b'["\xff"]',
    "n_string_continuation_byte": b'["\x80"]',
    "n_string_overlong_nul": b'["\xc0\x80"]',
    "n_string_overlong_slash": b'["\xc0\xaf"]',
    "n_string_truncated_two_byte": b'["\xc3"]',
    "n_string_truncated_three_byte": b'["\xe2\x82"]',
    "n_string_beyond_u10ffff": b'["\xf4\x90\x80\x80"]',
    "n_string_byte_f5": b'["\xf5\x80\x80\x80"]',
    "n_string_overlong_three_byte": b'["\xe0\x80\x80"]',
    "n_string_invalid_utf8_in_key": b'{"\xff":1}',
    "i_string_lone_high_surrogate": b'["\\ud800"]',
    "i_string_lone_low_surrogate": b'["\\udc00"]',
    "i_string_reversed_pair": b'["\\udc00\\ud800"]',
    "i_string_high_surrogate_then_letter": b'["\\ud800\\u0041"]',
    "i_string_two_high_surrogates": b'["\\ud800\\ud800"]',
    "i_string_lone_surrogate_key": b'{"\\ud800":1}',
    "i_string_utf8_encoded_surrogate": b'["\xed\xa0\x80"]',
    # ---- structures
    "y_array_empty": b"[]",
    "y_object_empty": b"{}",
    "y_object_members": b'{"a":1,"b":[true,false,null],"c":{"d":"e"}}',
    "y_object_duplicate_keys": b'{"a":1,"a":2}',
    "y_object_duplicate_keys_escaped": b'{"\\u0061":1,"a":2}',
    "y_object_empty_key": b'{"":0}',
    "y_array_mixed": b'[1,"a",1.5,null,true,{"k":[]}]',
    "y_array_long": b"[" + b",".join([b"1"] * 50_000) + b"]",
    "y_nesting_at_the_limit": b"[" * DEPTH + b"1" + b"]" * DEPTH,
    "y_nesting_objects_at_the_limit": b'{"a":' * DEPTH + b"1" + b"}" * DEPTH,
    "y_literals": b"[true, false, null]",
    "y_bare_null": b"null",
    "n_array_trailing_comma": b"[1,]",
    "n_object_trailing_comma": b'{"a":1,}',
    "n_array_leading_comma": b"[,1]",
    "n_array_missing_comma": b"[1 2]",
    "n_object_missing_colon": b'{"a" 1}',
    "n_object_missing_value": b'{"a":}',
    "n_object_unquoted_key": b"{a:1}",
    "n_object_number_key": b"{1:1}",
    "n_object_key_only": b'{"a"}',
    "n_array_unclosed": b"[",
    "n_object_unclosed": b'{"a":1',
    "n_array_extra_close": b"[1]]",
    "n_mismatched_brackets": b'["a"}',
    "n_literal_truncated": b"[tru]",
    "n_literal_capitalised": b"[True]",
    "n_literal_glued": b"[truefalse]",
    "n_nesting_past_json_loads": b"[" * 10_000 + b"]" * 10_000,
    "n_nesting_deep_unclosed": b"[" * 100_000,
    "n_two_values": b"1 2",
    "n_two_objects": b'{"a":1}{}',
    "n_comment_block": b"/*c*/[1]",
    "n_comment_line": b"[1]//c",
    "i_nesting_past_the_limit": b"[" * (DEPTH + 1) + b"1" + b"]" * (DEPTH + 1),
    "i_nesting_objects_past_the_limit": b'{"a":' * (DEPTH + 1) + b"1" + b"}" * (DEPTH + 1),
    "i_nesting_500": b"[" * 500 + b"]" * 500,
    # ---- around the value
    "y_whitespace_all_four": b" \t\r\n[ 1 , 2 ]\n\r\t ",
    "n_empty": b"",
    "n_whitespace_only": b" \n",
    "n_trailing_garbage": b"[1]x",
    "n_trailing_nul": b"[1]\x00",
    "n_leading_nul": b"\x00[1]",
    "n_form_feed": b"\x0c[1]",
    "n_vertical_tab": b"\x0b[1]",
    "n_nbsp": b"\xc2\xa0[1]",
    "n_line_separator": "[1]\u2028".encode(),
    "n_invalid_utf8_outside_strings": b"[1]\xff",
    "i_bom": b"\xef\xbb\xbf[1]",
    "i_utf16_with_bom": "[1]".encode("utf-16"),
    "i_utf16le": "[1]".encode("utf-16-le"),
    "i_utf32be": "[1]".encode("utf-32-be"),
}
