"""Run localstripe on loopback only, with its data in a private file.

localstripe (a GPL dev/test dependency, never shipped with the addon) binds every
interface and keeps its store in ``/tmp/localstripe.pickle`` by default. This
launcher binds ``127.0.0.1`` and points the store at ``--data``.

Usage: python3 tools/localstripe_server.py --port 8420 --data /path/store.pickle
"""

import argparse
import logging
import os
import pickle
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--data", required=True, help="private pickle file")
    parser.add_argument("--from-scratch", action="store_true")
    parser.add_argument(
        "--no-persist",
        action="store_true",
        help="keep the store in memory only (localstripe rewrites the whole file "
        "after every change: seeding thousands of objects would take minutes)",
    )
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("localstripe is only ever run on loopback")

    from aiohttp import web
    from localstripe import resources, server

    data_file = os.path.abspath(args.data)

    def try_load_from_disk(self):
        try:
            with open(data_file, "rb") as handle:
                old = pickle.load(handle)
        except (FileNotFoundError, EOFError):
            return
        self.clear()
        self.update(old)

    def dump_to_disk(self):
        if args.no_persist:
            return
        tmp = data_file + ".tmp"
        with open(tmp, "wb") as handle:
            pickle.dump(dict(self), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, data_file)

    async def seed_set(request):
        # Seeding only: states localstripe cannot reach by itself (a trialing or
        # past_due subscription, an invoice's due date).
        allowed = {"status", "trial_end", "due_date", "trial_start"}
        data = await request.post()
        obj_id = request.match_info["id"]
        obj = resources.StripeObject._get_class_for_id(obj_id)._api_retrieve(obj_id)
        for key, value in data.items():
            if key not in allowed:
                return web.json_response({"error": f"cannot set {key}"}, status=400)
            setattr(obj, key, int(value) if value.isdigit() else value)
        resources.store.dump_to_disk()
        return web.json_response(obj._export())

    server.app.router.add_post("/_seed/set/{id}", seed_set)
    resources.Store.try_load_from_disk = try_load_from_disk
    resources.Store.dump_to_disk = dump_to_disk
    if not args.from_scratch:
        resources.store.try_load_from_disk()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    web.run_app(server.app, host=args.host, port=args.port, access_log=None)


if __name__ == "__main__":
    main()
