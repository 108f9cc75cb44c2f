"""Prints its arguments, environment and working directory: what Gramine gave it."""
import os
import sys

args = sys.argv[1:]
name = args[args.index("--name") + 1] if "--name" in args else "nobody"
print(f"{os.environ.get('GREETING', '?')}: hi {name}")
print(f"argv={args!r} cwd={os.getcwd()} mode={os.environ.get('APP_MODE', '?')}")
