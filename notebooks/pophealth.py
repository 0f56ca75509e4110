"""Lakehouse access for analyst notebooks: one line to run SQL, one line to plot.

    import pophealth as ph
    df = ph.sql("SELECT measure, performance_rate FROM gold.measure_summary WHERE stratifier = 'all'")
    ph.plot(df, x="measure", y="performance_rate", title="Rates", ylabel="rate")

Queries go through the project's own CLI (`bin/pophealth --lakehouse DIR sql QUERY --format json`), so a
notebook sees exactly the tables, Spark and Delta versions the pipeline uses; each call starts one JVM
(a few seconds). The lakehouse is the POPHEALTH_LAKEHOUSE environment variable (or `ph.use(DIR)`).
"""
import json
import os
import subprocess
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

HOME = Path(os.environ.get("POPHEALTH_HOME", Path(__file__).resolve().parent.parent))
LAUNCHER = HOME / "bin" / "pophealth"
_lakehouse = os.environ.get("POPHEALTH_LAKEHOUSE")


def use(lakehouse_dir):
    """Point the helper at another lakehouse directory."""
    global _lakehouse
    _lakehouse = str(lakehouse_dir)
    return _lakehouse


def lakehouse():
    if not _lakehouse:
        raise RuntimeError("set POPHEALTH_LAKEHOUSE to a lakehouse directory (e.g. the demo's), "
                           "or call pophealth.use(DIR)")
    if not Path(_lakehouse).is_dir():
        raise RuntimeError(f"lakehouse directory not found: {_lakehouse}")
    return _lakehouse


def run(*args):
    """Run any pophealth subcommand against the lakehouse; returns its standard output."""
    cmd = [str(LAUNCHER), "--lakehouse", lakehouse(), *[str(a) for a in args]]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        err = "\n".join(line for line in p.stderr.splitlines() if "error" in line.lower())[-2000:]
        raise RuntimeError(f"pophealth {args[0]} failed (exit {p.returncode}): {err or p.stderr[-2000:]}")
    return p.stdout


_session = None


def _start():
    """One `pophealth sql --stdin` JVM per kernel: starting Spark once, then each query takes seconds."""
    global _session
    if _session is None or _session[0].poll() is not None or _session[1] != lakehouse():
        cmd = [str(LAUNCHER), "--lakehouse", lakehouse(), "sql", "--stdin"]
        _session = (subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, bufsize=1), lakehouse())
    return _session[0]


def sql(query):
    """Run Spark SQL (tables as zone.table) and return a pandas DataFrame (columns in query order).

    Read-only: queries, SHOW, DESCRIBE and EXPLAIN of the lakehouse's tables; anything else raises
    RuntimeError("SQL error: refused: ..."); writes go through admin_sql(). Every query is recorded in
    ops.sql_query (text, user, host, outcome; never rows)."""
    p = _start()
    p.stdin.write(json.dumps(" ".join(query.split())) + "\n")
    p.stdin.flush()
    rows = []
    columns = None
    while True:
        line = p.stdout.readline()
        if not line:
            raise RuntimeError("the pophealth sql session ended (see `bin/pophealth sql` for the error)")
        if not line.startswith("{"):
            continue
        row = json.loads(line)
        if "__end__" in row:
            columns = row.get("__columns__")
            break
        if "__error__" in row:
            raise RuntimeError("SQL error: " + row["__error__"])
        rows.append(row)
    if columns is None:  # an older server: column order from the rows (all-null columns are missing)
        columns = list(dict.fromkeys(k for r in rows for k in r))
    # every column of the query, in its order, also when all of its values are null (suppressed cells)
    return pd.DataFrame(rows, columns=columns)


def admin_sql(statement):
    """Run one maintenance statement (INSERT INTO a table, UPDATE, DELETE, MERGE, ...) through
    `bin/pophealth sql --admin`: its own JVM (a few seconds), a warning, and a row in ops.sql_query.
    `sql()` is read-only: it refuses writes, file paths and Java calls."""
    return run("sql", "--admin", statement, "--format", "json")


def plot(df, x, y, kind="bar", title=None, xlabel=None, ylabel=None, ax=None, **kwargs):
    """Plot y (one column or a list) against x with a title and axis labels; returns the axes."""
    if df.empty:
        print("nothing to plot: no rows")
        return None
    ax = df.plot(x=x, y=y, kind=kind, ax=ax, title=title or "", legend=isinstance(y, list), **kwargs)
    ax.set_xlabel(xlabel or x)
    ax.set_ylabel(ylabel or (y if isinstance(y, str) else ""))
    plt.tight_layout()
    return ax
