"""pip-audit over the installed environment: fatal on a known-vulnerable package, a loud
warning (not fatal) when the vulnerability database cannot be reached.

pip-audit asks PyPI's JSON API (or OSV) for each package's advisories. Where only a PyPI
index mirror is reachable, it answers "not found" for every package: nothing is audited,
and saying "no known vulnerabilities" would be false. AUDIT_REQUIRED=1 makes that fatal.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
command = [
    str(BIN / "pip-audit"),
    "--local",
    "--skip-editable",
    "--format",
    "json",
    "--progress-spinner",
    "off",
]
required = os.environ.get("AUDIT_REQUIRED") == "1"


def unreachable(why: str) -> int:
    print(f"pip-audit: NOT DONE: {why}")
    print("pip-audit: run `make audit` where PyPI's JSON API or api.osv.dev is reachable.")
    return 2 if required else 0


try:
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)  # noqa: S603
except (OSError, subprocess.TimeoutExpired) as exc:
    sys.exit(unreachable(f"pip-audit could not run ({exc})"))
try:
    report = json.loads(run.stdout or "{}")
except json.JSONDecodeError:
    tail = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["no output"]
    sys.exit(unreachable(f"pip-audit failed: {tail[0]}"))

dependencies = report.get("dependencies", [])
vulnerable = [d for d in dependencies if d.get("vulns")]
audited = [d for d in dependencies if "skip_reason" not in d]
skipped = [d for d in dependencies if "skip_reason" in d and "editable" not in d["skip_reason"]]

for dep in vulnerable:
    ids = ", ".join(v["id"] for v in dep["vulns"])
    fixes = ", ".join(sorted({f for v in dep["vulns"] for f in v.get("fix_versions", [])}))
    print(
        f"pip-audit: VULNERABLE {dep['name']}=={dep['version']}: {ids} (fixed in: {fixes or '?'})"
    )
if vulnerable:
    sys.exit(1)
if skipped and not audited:
    sys.exit(unreachable(f"none of {len(skipped)} packages could be looked up (no advisory data)"))
if skipped:
    names = ", ".join(sorted(d["name"] for d in skipped))
    print(f"pip-audit: warning: {len(skipped)} packages not audited: {names}")
print(f"pip-audit: {len(audited)} packages audited, no known vulnerabilities.")
