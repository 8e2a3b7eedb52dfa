"""Editor features in process (`specls.ide`), one test module per feature.

A package, so its module names (`ide.test_hover`) do not clash with the
pytest-lsp modules of the same features in tests/lsp.
"""
