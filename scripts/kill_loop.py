#!/usr/bin/env python3
"""The kill loop behind scripts/kill_loop.sh: runs quiver CLI writes (add, ingest, delete,
reembed, compact) against one database and SIGKILLs each at a random moment, until N kills
have landed. After every operation, killed or not, it checks what the design promises:

  * `quiver verify` passes (store, index and checksums agree; recovery rebuilt what it had to);
  * every acknowledged write is present (an operation that exited 0 is acknowledged): added and
    ingested records with their vectors, deleted ones gone, and nothing else changed;
  * nothing is half-visible: a killed `add` left whole batches (a prefix of them), a killed
    `ingest` whole files, a killed `delete` all or none of its ids, a killed `reembed` either
    every old vector or every new one, a killed `compact` the records exactly as they were.

Prints one summary line of figures; exits 1 on the first broken promise, naming it.
    scripts/kill_loop.sh N [--seed S] [--keep]
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

DIM = 16
WORDS = 300
ADD_RECORDS, ADD_BATCH = 300, 50
INGEST_FILES, INGEST_RECORDS = 3, 40
DELETE_IDS = 30


class Broken(Exception):
    """A promise the database did not keep."""


def word_vectors(path, seed):
    rng = random.Random(seed)
    with open(path, "w") as f:
        for w in range(WORDS):
            f.write("w%d %s\n" % (w, " ".join("%.6f" % rng.gauss(0, 1) for _ in range(DIM))))


def random_text(rng, words):
    return " ".join("w%d" % rng.randrange(WORDS) for _ in range(words))


class Loop:
    def __init__(self, cli, work, seed):
        self.cli, self.work, self.rng = cli, work, random.Random(seed)
        # `add` writes vectors of its own; `ingest` and `reembed` need every stored vector to
        # come from the model: two databases, one for each kind of write.
        self.dbs = {kind: os.path.join(work, kind) for kind in ("vectors", "text")}
        self.states = {}  # database kind -> its state, as below
        self.db = None  # the database of the current step
        self.models = [os.path.join(work, "model_a.txt"), os.path.join(work, "model_b.txt")]
        self.vector_model = 0  # the model every stored text vector comes from
        self.state = {}  # id -> (text, vector): what the database must hold
        self.seconds = {}  # op -> how long it took when it was not killed
        self.figures = dict(operations=0, kills=0, acknowledged=0, lost_writes=0,
                            half_visible=0, rebuilds=0)
        self.kills_by_op = {}  # op -> kills that landed in it

    def run(self, args, check=True):
        result = subprocess.run([self.cli] + args, capture_output=True, text=True)
        if check and result.returncode != 0:
            raise Broken("quiver %s exited %d: %s" % (" ".join(args), result.returncode,
                                                       result.stderr.strip()))
        return result

    def export(self):
        out = os.path.join(self.work, "export.jsonl")
        self.run(["export", self.db, "-o", out])
        records = {}
        with open(out) as f:
            for line in f:
                r = json.loads(line)
                records[r["id"]] = (r.get("text", ""), tuple(r["vector"]))
        return records

    def setup(self):
        for i, path in enumerate(self.models):
            word_vectors(path, 1000 + i)
        for kind, self.db in self.dbs.items():
            self.run(["create", self.db, "--dim", str(DIM), "--index", "HNSW16"])
            self.states[kind] = {}
        self.run(["import", self.dbs["text"], "--word-vectors", self.models[0]])

    def killed_run(self, op, args):
        """Runs `quiver args`, SIGKILLed after a random delay; True when it was killed."""
        # The first run of each op is left to finish: its duration bounds the later delays.
        delay = self.rng.uniform(0, 1.25 * self.seconds[op]) if op in self.seconds else None
        start = time.monotonic()
        child = subprocess.Popen([self.cli] + args, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True)
        try:
            child.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
            child.wait()
            child.stderr.close()
            # Runs longer than thought: widen the window so some runs finish (acknowledged).
            self.seconds[op] *= 1.1
            return True
        err = child.stderr.read()
        child.stderr.close()
        if child.returncode != 0:
            raise Broken("quiver %s exited %d: %s" % (" ".join(args), child.returncode,
                                                       err.strip()))
        elapsed = time.monotonic() - start
        self.seconds[op] = max(elapsed, 0.8 * self.seconds.get(op, elapsed) + 0.2 * elapsed)
        return False

    # Each op writes its input, runs killed_run and returns (killed, groups): the groups of
    # ids that must appear or vanish together, in commit order, with their expected records.
    def op_add(self, n):
        path = os.path.join(self.work, "add%d.jsonl" % n)
        records = {}
        with open(path, "w") as f:
            for i in range(ADD_RECORDS):
                vector = [round(self.rng.uniform(-1, 1), 4) for _ in range(DIM)]
                rid = "a%d-%d" % (n, i)
                records[rid] = ("", tuple(float(v) for v in vector))
                f.write(json.dumps({"id": rid, "vector": vector}) + "\n")
        killed = self.killed_run("add", ["add", self.db, path, "--batch-size", str(ADD_BATCH)])
        ids = list(records)
        return killed, [{i: records[i] for i in ids[b:b + ADD_BATCH]}
                        for b in range(0, len(ids), ADD_BATCH)]

    def op_ingest(self, n):
        paths, groups = [], []
        for f in range(INGEST_FILES):
            path = os.path.join(self.work, "ingest%d-%d.jsonl" % (n, f))
            group = {}
            with open(path, "w") as out:
                for i in range(INGEST_RECORDS):
                    rid = "i%d-%d-%d" % (n, f, i)
                    text = random_text(self.rng, 8)
                    group[rid + "#0"] = (text, None)  # the vector comes from the model
                    out.write(json.dumps({"id": rid, "text": text}) + "\n")
            paths.append(path)
            groups.append(group)
        return self.killed_run("ingest", ["ingest", self.db] + paths), groups

    def op_delete(self, n):
        ids = self.rng.sample(sorted(self.state), min(DELETE_IDS, len(self.state)))
        return self.killed_run("delete", ["delete", self.db] + ids), [{i: None for i in ids}]

    def check_groups(self, op, killed, groups, after):
        """Additions (record values) or deletions (None values), all-or-nothing per group."""
        applied = []
        for group in groups:
            done = [self.applied(rid, want, after) for rid, want in group.items()]
            if all(done):
                applied.append(True)
            elif not any(done):
                applied.append(False)
            else:
                self.figures["half_visible"] += 1
                raise Broken("%s: %d of %d records of one atomic write visible" %
                             (op, sum(done), len(done)))
        if not killed and not all(applied):
            self.figures["lost_writes"] += 1
            raise Broken("%s was acknowledged but %d of its %d atomic writes are not visible"
                         % (op, applied.count(False), len(applied)))
        if op == "add" and applied != sorted(applied, reverse=True):
            raise Broken("add: batches visible out of order: %s" % applied)
        for group, done in zip(groups, applied):
            for rid, want in group.items():
                if done and want is None:
                    self.state.pop(rid, None)
                elif done:
                    self.state[rid] = after[rid]

    @staticmethod
    def applied(rid, want, after):
        if want is None:
            return rid not in after
        if rid not in after or after[rid][0] != want[0]:
            return False
        # Vectors come back as float32: equal to what was written within its rounding.
        return want[1] is None or all(abs(a - b) <= 1e-6 * max(1.0, abs(a))
                                      for a, b in zip(want[1], after[rid][1]))

    def check_unchanged(self, op, after, exempt=()):
        for rid, record in self.state.items():
            if rid in exempt:
                continue
            if rid not in after:
                self.figures["lost_writes"] += 1
                raise Broken("%s: acknowledged record %s is gone" % (op, rid))
            if after[rid] != record:
                raise Broken("%s: record %s changed" % (op, rid))
        extra = set(after) - set(self.state) - set(exempt)
        if extra:
            raise Broken("%s: records nobody wrote: %s" % (op, sorted(extra)[:5]))

    def op_reembed(self, n):
        other = 1 - self.vector_model
        self.run(["import", self.db, "--word-vectors", self.models[other], "--replace"])
        return self.killed_run("reembed", ["reembed", self.db]), other

    def check_reembed(self, killed, target, after):
        texts = [rid for rid, (text, _) in self.state.items() if text]
        self.check_unchanged("reembed", after, exempt=set(texts))
        changed = [after[rid][1] != self.state[rid][1] for rid in texts if rid in after]
        if len(changed) != len(texts):
            self.figures["lost_writes"] += 1
            raise Broken("reembed: records with text are gone")
        if any(changed) and not all(changed):
            self.figures["half_visible"] += 1
            raise Broken("reembed: %d of %d vectors new, the rest old" %
                         (changed.count(True), len(changed)))
        if texts and not killed and not all(changed):
            self.figures["lost_writes"] += 1
            raise Broken("reembed was acknowledged but the vectors are the old ones")
        self.state = after
        if not texts or all(changed):
            self.vector_model = target
            return
        # Old vectors under the new model: finish the job so later checks start from one model.
        self.run(["reembed", self.db])
        self.figures["operations"] += 1
        self.figures["acknowledged"] += 1
        self.check_reembed(False, target, self.export())

    def verify(self, op):
        result = self.run(["verify", self.db], check=False)
        self.figures["rebuilds"] += result.stderr.count("rebuilding")
        if result.returncode != 0:
            raise Broken("verify after %s exited %d: %s %s" % (op, result.returncode,
                                                               result.stdout, result.stderr))

    def step(self, n):
        op = self.rng.choice(["add", "ingest", "delete", "delete", "reembed", "compact"])
        kind = {"add": "vectors", "ingest": "text", "reembed": "text"}.get(op)
        kind = kind or self.rng.choice(list(self.dbs))
        self.db, self.state = self.dbs[kind], self.states[kind]
        try:
            self.step_on(op, n)
        finally:
            self.states[kind] = self.state

    def step_on(self, op, n):
        if op == "delete" and not self.state:
            op = "add" if self.db == self.dbs["vectors"] else "ingest"
        self.figures["operations"] += 1
        if op == "reembed":
            killed, target = self.op_reembed(n)
        elif op == "compact":
            killed = self.killed_run("compact", ["compact", self.db])
        else:
            killed, groups = getattr(self, "op_" + op)(n)
        self.figures["kills" if killed else "acknowledged"] += 1
        self.kills_by_op[op] = self.kills_by_op.get(op, 0) + killed
        self.verify(op)
        after = self.export()
        if op == "reembed":
            self.check_reembed(killed, target, after)
        elif op == "compact":
            self.check_unchanged("compact", after)
        else:
            exempt = {rid for group in groups for rid in group}
            self.check_unchanged(op, after, exempt)
            self.check_groups(op, killed, groups, after)


def main():
    parser = argparse.ArgumentParser(description="SIGKILL quiver writes and check recovery")
    parser.add_argument("kills", type=int, help="how many kills to land")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cli", default=os.environ.get("QUIVER_CLI"))
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = parser.parse_args()
    if not args.cli or not os.access(args.cli, os.X_OK):
        sys.exit("kill_loop: expected the quiver binary in --cli or QUIVER_CLI; found '%s'" %
                 args.cli)
    work = tempfile.mkdtemp(prefix="quiver_kill_loop_")
    loop = Loop(args.cli, work, args.seed)
    start = time.monotonic()
    try:
        loop.setup()
        n = 0
        while loop.figures["kills"] < args.kills:
            if n > 10 * args.kills + 20:
                raise Broken("only %d kills landed in %d operations" % (loop.figures["kills"], n))
            loop.step(n)
            n += 1
        status = 0
    except Broken as broken:
        print("kill_loop: %s (seed %d, database kept in %s)" % (broken, args.seed, work),
              file=sys.stderr)
        args.keep, status = True, 1
    figures = " ".join("%s=%d" % kv for kv in loop.figures.items())
    records = sum(len(state) for state in loop.states.values())
    by_op = ",".join("%s:%d" % kv for kv in sorted(loop.kills_by_op.items()))
    print("kill_loop: %s records=%d seconds=%.0f kills_by_op=%s" %
          (figures, records, time.monotonic() - start, by_op))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
