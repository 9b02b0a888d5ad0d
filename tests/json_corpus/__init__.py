"""A JSON parser corpus in the style of JSONTestSuite, written for Conduit: see README.md."""
