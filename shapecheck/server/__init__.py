"""`shapecheck server`: the language server.  ``checks`` runs the command line's analysis and
finishing stage on an open document's text (no pygls there); ``app`` speaks the protocol (pygls,
lsprotocol types) and turns the results into diagnostics."""
