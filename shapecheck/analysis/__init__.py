"""Abstract interpretation of model code: the interpreter and its values, Python's and the data
libraries' semantics, and the model checker that finds models, chooses their inputs and applies the
shape rules layer by layer."""
