"""Runs one installed Python command line many times, paying the interpreter's and the program's
start-up once.

Usage: python3 python-cli.py DISTRIBUTION SCRIPT < argv-lists.json
  DISTRIBUTION, SCRIPT: the console-script entry point the installed command's own launcher loads
  (e.g. docker-compose/docker-compose, cloud-init/cloud-init); stdin: a JSON list of argument lists.
Prints a JSON list, one {"code": n, "output": stdout+stderr} per argument list, in order.

The entry point is imported once; then each argument list runs in a child forked from this
process, with sys.argv set as the launcher sets it, so parsing, validation, messages and exit
code are the command's own, with fresh state for every run. Importing is most of such a
command's cost (0.2-0.4 s of CPU per start), the work itself a few milliseconds.
"""
import json
import os
import sys
from importlib.metadata import distribution

dist_name, script = sys.argv[1], sys.argv[2]
entry = next(e for e in distribution(dist_name).entry_points if e.group == 'console_scripts' and e.name == script).load()
results = []
for argv in json.load(sys.stdin):
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        os.dup2(write_end, 1)
        os.dup2(write_end, 2)
        sys.argv = [script, *argv]
        try:
            code = entry()
        except SystemExit as exit_:
            code = exit_.code
        sys.stdout.flush()
        sys.stderr.flush()
        # What sys.exit(code) makes of a launcher's return value: None is 0, an int itself, else 1.
        os._exit(0 if code is None else code if isinstance(code, int) else 1)
    os.close(write_end)
    output = b''
    while True:
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        output += chunk
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    results.append({'code': os.waitstatus_to_exitcode(status), 'output': output.decode('utf-8', 'replace')})
json.dump(results, sys.stdout)
