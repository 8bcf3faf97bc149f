#!/usr/bin/python3
# Stand-in for Proxmox's `pvesh` and `pvesm` in the throwaway root (installed under both names):
# enough of `pvesh get /storage --output-format json` and `pvesm set <id> --content <list>` to run
# the storage playbook for real. It keeps the storage configuration in a JSON file, refuses what
# pvesm refuses (an unknown storage, a content type the storage type cannot hold) and appends
# every call to /pve-calls.log so a test can see exactly what the playbook ran.
import json
import os
import sys

STATE = '/var/lib/pve-standin/storage.json'
LOG = '/pve-calls.log'
# pve-storage: the content types each plugin accepts (plugindata()->{content}[0]).
SUPPORTED = {
    'dir': {'images', 'rootdir', 'vztmpl', 'iso', 'backup', 'snippets', 'import'},
    'nfs': {'images', 'rootdir', 'vztmpl', 'iso', 'backup', 'snippets', 'import'},
    'cifs': {'images', 'rootdir', 'vztmpl', 'iso', 'backup', 'snippets', 'import'},
    'lvmthin': {'images', 'rootdir'},
    'lvm': {'images', 'rootdir'},
    'zfspool': {'images', 'rootdir'},
}


def main(tool, args):
    with open(LOG, 'a') as log:
        log.write(' '.join([tool, *args]) + '\n')
    with open(STATE) as f:
        storages = json.load(f)
    if tool == 'pvesh' and args == ['get', '/storage', '--output-format', 'json']:
        print(json.dumps(storages))
        return 0
    if tool == 'pvesm' and len(args) == 4 and args[0] == 'set' and args[2] == '--content':
        sid, content = args[1], args[3].split(',')
        entry = next((s for s in storages if s['storage'] == sid), None)
        if entry is None:
            print(f"storage '{sid}' does not exist", file=sys.stderr)
            return 255
        bad = [c for c in content if c not in SUPPORTED[entry['type']]]
        if bad:
            print(f"storage does not support content type '{bad[0]}'", file=sys.stderr)
            return 255
        entry['content'] = ','.join(content)
        with open(STATE, 'w') as f:
            json.dump(storages, f)
        return 0
    print(f'stand-in does not implement: {tool} {" ".join(args)}', file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(os.path.basename(sys.argv[0]), sys.argv[1:]))
