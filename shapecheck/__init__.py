"""shapecheck: finds tensor-shape bugs in PyTorch model code before anything runs."""

__version__ = "0.1.0"
