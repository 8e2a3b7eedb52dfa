"""The pygls language server: translates LSP to the analysis core and back."""
