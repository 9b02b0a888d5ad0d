// conduit_re.cc -- the `seq_re_*` part of the Codon runtime ABI (what Codon's `re` module
// calls), over the system RE2 (Debian libre2-9).  Built as libconduit_re.so; conduit.export
// adds it to a binary's DT_NEEDED only when that binary imports seq_re_* symbols.
//
// Codon's stdlib/re.codon does the Python-level work (Match objects, sub, split, findall,
// group lookup) and asks the runtime for five things: compile a pattern (cached), match once
// with all groups or with the whole match only, group-name lookups, and QuoteMeta.  The
// options must be the ones Codon's own runtime gives RE2, or answers would differ: Latin-1
// encoding (Codon strings are bytes), errors not logged, IGNORECASE -> case-insensitive,
// MULTILINE -> one_line(false), DOTALL -> dot_nl.  Flag bits are those of re.codon.
//
// Compiled patterns live in one process-wide cache keyed by (pattern, flags) and are never
// freed: a Pattern object holds a raw pointer to its RE2, so purge() only forgets the keys.

#include <re2/re2.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#define EXPORT extern "C" __attribute__((visibility("default")))

typedef int64_t seq_int_t;
struct seq_str_t {
  seq_int_t len;
  char *str;
};
struct Span {
  seq_int_t start, end;
};

extern "C" void *seq_alloc_atomic(size_t n);  // from our libcodonrt.so

namespace {

enum : seq_int_t {
  F_ASCII = 1 << 0, F_DEBUG = 1 << 1, F_IGNORECASE = 1 << 2, F_LOCALE = 1 << 3,
  F_MULTILINE = 1 << 4, F_DOTALL = 1 << 5, F_VERBOSE = 1 << 6
};

RE2::Options options_for(seq_int_t flags) {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_encoding(RE2::Options::EncodingLatin1);
  if (flags & F_IGNORECASE) o.set_case_sensitive(false);
  if (flags & F_MULTILINE) o.set_one_line(false);
  if (flags & F_DOTALL) o.set_dot_nl(true);
  return o;
}

seq_str_t to_seq(const std::string &s) {
  auto *p = static_cast<char *>(seq_alloc_atomic(s.size() ? s.size() : 1));
  std::memcpy(p, s.data(), s.size());
  return {static_cast<seq_int_t>(s.size()), p};
}

re2::StringPiece piece(seq_str_t s) { return re2::StringPiece(s.str, static_cast<size_t>(s.len)); }

std::mutex cache_lock;
std::unordered_map<std::string, RE2 *> *cache;  // key: 8 flag bytes + pattern bytes

}  // namespace

EXPORT RE2 *seq_re_compile(seq_str_t pattern, seq_int_t flags) {
  std::string key(reinterpret_cast<const char *>(&flags), sizeof flags);
  key.append(pattern.str, static_cast<size_t>(pattern.len));
  std::lock_guard<std::mutex> g(cache_lock);
  if (!cache) cache = new std::unordered_map<std::string, RE2 *>();
  auto it = cache->find(key);
  if (it != cache->end()) return it->second;
  RE2 *re = new RE2(piece(pattern), options_for(flags));
  cache->emplace(std::move(key), re);
  return re;
}

EXPORT void seq_re_purge() {
  std::lock_guard<std::mutex> g(cache_lock);
  if (cache) cache->clear();  // the RE2 objects stay: live Patterns still point at them
}

// The error text of a pattern that failed to compile, or the empty str.
EXPORT seq_str_t seq_re_pattern_error(RE2 *re) {
  if (re->ok()) return {0, nullptr};
  return to_seq(re->error());
}

EXPORT seq_int_t seq_re_pattern_groups(RE2 *re) { return re->NumberOfCapturingGroups(); }

EXPORT seq_int_t seq_re_group_name_to_index(RE2 *re, seq_str_t name) {
  const auto &m = re->NamedCapturingGroups();
  auto it = m.find(std::string(name.str, static_cast<size_t>(name.len)));
  return it == m.end() ? -1 : it->second;
}

EXPORT seq_str_t seq_re_group_index_to_name(RE2 *re, seq_int_t index) {
  const auto &m = re->CapturingGroupNames();
  auto it = m.find(static_cast<int>(index));
  if (it == m.end()) return {0, nullptr};
  return to_seq(it->second);
}

// One match attempt in s[pos:endpos]; anchor is RE2::Anchor (0 none, 1 start, 2 both).
// Returns 1 + groups spans (byte offsets into s), (-1, -1) for a group that did not take
// part, all (-1, -1) when there is no match.
EXPORT Span *seq_re_match(RE2 *re, seq_int_t anchor, seq_str_t s, seq_int_t pos,
                          seq_int_t endpos) {
  const int n = re->NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> groups(static_cast<size_t>(n));
  bool ok = re->Match(piece(s), static_cast<size_t>(pos), static_cast<size_t>(endpos),
                      static_cast<RE2::Anchor>(anchor), groups.data(), n);
  auto *spans = static_cast<Span *>(seq_alloc_atomic(sizeof(Span) * static_cast<size_t>(n)));
  for (int i = 0; i < n; i++) {
    if (!ok || groups[i].data() == nullptr)
      spans[i] = {-1, -1};
    else
      spans[i] = {static_cast<seq_int_t>(groups[i].data() - s.str),
                  static_cast<seq_int_t>(groups[i].data() - s.str + groups[i].size())};
  }
  return spans;
}

// The whole-match span only (search/fullmatch/sub fast paths).
EXPORT Span seq_re_match_one(RE2 *re, seq_int_t anchor, seq_str_t s, seq_int_t pos,
                             seq_int_t endpos) {
  re2::StringPiece m;
  if (!re->Match(piece(s), static_cast<size_t>(pos), static_cast<size_t>(endpos),
                 static_cast<RE2::Anchor>(anchor), &m, 1))
    return {-1, -1};
  return {static_cast<seq_int_t>(m.data() - s.str),
          static_cast<seq_int_t>(m.data() - s.str + m.size())};
}

EXPORT seq_str_t seq_re_escape(seq_str_t p) { return to_seq(RE2::QuoteMeta(piece(p))); }

EXPORT bool seq_re_check_rewrite_string(RE2 *re, seq_str_t rewrite, seq_str_t *error) {
  std::string e;
  bool ok = re->CheckRewriteString(piece(rewrite), &e);
  if (!ok) *error = to_seq(e);
  return ok;
}
