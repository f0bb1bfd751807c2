"""Ray on loopback: `ray start` and a driver that keep 127.0.0.1 as given.

Ray replaces a loopback address (127.0.0.1, localhost, ::1) by the machine's interface address
wherever it reads one, so `ray start --node-ip-address 127.0.0.1` still registers the node under the
interface's address. A cluster meant to stay on one machine — tests, a laptop — is started with

    python -m softmaxkit.loopback_ray start --head --node-ip-address 127.0.0.1 --port 6379 --num-cpus 0
    python -m softmaxkit.loopback_ray start --address 127.0.0.1:6379 --node-ip-address 127.0.0.1 --num-cpus 1

(the arguments are `ray start`'s), and `python -m softmaxkit.distributed sweep … --address
127.0.0.1:6379` reaches it on loopback. `ray stop` stops it as usual.
"""
import sys


def keep_loopback_addresses():
    """From now on, this process's Ray keeps loopback addresses as given."""
    import ray._private.services as services

    services.resolve_ip_for_localhost = lambda host: host


def main():
    try:
        import ray.scripts.scripts as scripts
    except ImportError:
        print("error: Ray is not installed: pip install 'softmaxkit[distributed]' (or pip install ray)", file=sys.stderr)
        return 1
    keep_loopback_addresses()
    return scripts.main()


if __name__ == "__main__":
    sys.exit(main())
