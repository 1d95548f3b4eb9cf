# A purchasing system keeps the pipe open: one record in, its verdict out,
# before the next record is written.
python3 - "$RF" > "$tmp/pipe.out" 2>&1 <<'PY'
import json, select, subprocess, sys
p = subprocess.Popen([sys.argv[1], "screen", "-f", "jsonl", "-o", "jsonl"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
def ask(rec):
    p.stdin.write((json.dumps(rec) + "\n").encode()); p.stdin.flush()
    r, _, _ = select.select([p.stdout], [], [], 10)
    if not r:
        print("no verdict within 10 s with the pipe open"); sys.exit(1)
    return json.loads(p.stdout.readline())
a = ask({"id": "p1", "text": "Passports are held by the labour agent."})
b = ask({"id": "p2", "text": "Office chairs."})
p.stdin.close(); p.wait(10)
print(a["id"], a["level"], b["id"], b["level"], "exit", p.returncode)
PY
expect_grep pipe-one-in-one-out '^p1 high p2 none exit 1$' "$tmp/pipe.out"
