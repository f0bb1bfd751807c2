"""Where and when a benchmark ran: the header every results file in Benchmarks/results/ carries.

A figure means something only next to the machine, the build and the day it came from; the tables in
BENCHMARKS.md are rendered from these files (Benchmarks/tables.py), each headed with this record.
"""
import datetime, json, os, platform, re, subprocess, sys

# AMD families and model ranges to their microarchitecture (AMD's processor programming references);
# anything else is reported by family and model only.
AMD_CORES = [(25, range(0x00, 0x10), "Zen 3"), (25, range(0x20, 0x60), "Zen 3"),
             (25, range(0x10, 0x20), "Zen 4"), (25, range(0x60, 0x80), "Zen 4"),
             (25, range(0xA0, 0xB0), "Zen 4"), (26, range(0x00, 0x100), "Zen 5")]


def _cpuinfo():
    fields = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if not line.strip():
                    break  # the first processor is enough
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()
    except OSError:
        pass
    return fields


def _lscpu_cache(name):
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"^%s cache:\s+(.+)$" % name, out, re.M)
    return match.group(1).strip() if match else None


def machine():
    """The CPU, its vector extensions, cores, caches and memory."""
    info = _cpuinfo()
    flags = set(info.get("flags", "").split())
    family, model = info.get("cpu family"), info.get("model")
    core = None
    if info.get("vendor_id") == "AuthenticAMD" and family and model:
        core = next((name for fam, models, name in AMD_CORES if int(family) == fam and int(model) in models), None)
    isa = [name for flag, name in [("avx512f", "AVX-512"), ("avx2", "AVX2"), ("fma", "FMA")] if flag in flags]
    memory = None
    try:
        with open("/proc/meminfo") as f:
            memory = round(int(f.readline().split()[1]) / 2**20, 1)
    except (OSError, ValueError, IndexError):
        pass
    return {"cpu": info.get("model name", platform.processor() or platform.machine()),
            "family": int(family) if family else None, "model": int(model) if model else None,
            "core": core, "isa": isa, "cores": os.cpu_count(),
            "l2": _lscpu_cache("L2"), "l3": _lscpu_cache("L3"), "memory_gib": memory}


def _git(*args):
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _swift_version():
    try:
        out = subprocess.run(["swift", "--version"], capture_output=True, text=True, check=True)
        return (out.stdout or out.stderr).splitlines()[0]
    except (OSError, subprocess.CalledProcessError, IndexError):
        return None


def record(command):
    """The header of a results file: the command that produced it, the UTC date, the commit (with
    "+changes" when the working tree differs from it), the Swift toolchain and the machine."""
    commit = _git("rev-parse", "--short", "HEAD")
    if commit and _git("status", "--porcelain", "--untracked-files=no"):
        commit += "+changes"
    return {"command": command,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": commit, "swift": _swift_version(), "machine": machine()}


def save(document, path, script):
    """Writes a results document to `path` (its folder made if needed) and says so on stderr."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(document, f, indent=1)
    print("%s: wrote %s" % (script, path), file=sys.stderr)


def describe(header):
    """One line for a table's heading: date, commit, machine."""
    m = header["machine"]
    cpu = m["cpu"]
    details = []
    if m.get("core"):
        details.append(m["core"])
    elif m.get("family") is not None:
        details.append("family %s model %s" % (m["family"], m["model"]))
    details += [", ".join(m["isa"]) or "no AVX2", "%s cores" % m["cores"]]
    if m.get("l2"):
        details.append("L2 " + m["l2"])
    if m.get("l3"):
        details.append("L3 " + m["l3"])
    if m.get("memory_gib"):
        details.append("%g GiB" % m["memory_gib"])
    return "%s, commit `%s`, %s (%s)" % (header["date"], header["commit"], cpu, "; ".join(details))
