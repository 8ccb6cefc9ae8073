"""The command line: options, exit codes, configuration, the run over files (workers, cache).

`main.main` is the entry point; `commands` is the typer app for everything beyond a plain check."""
