#!/bin/sh
# Start a peer forum: gunicorn, 2 sync workers, DEBUG off, no access log (as Maillage's bench runs
# uvicorn with --no-access-log): machina on 127.0.0.1:8900, Spirit on 127.0.0.1:8901.
#   ./serve.sh --peer machina --daemon            (without --daemon: in the foreground)
#   kill "$(cat ../out/peers/machina/gunicorn.pid)"   stop (the master's pid; it stops both workers)
# PEER_OUT (default bench/out/peers/<peer>) gets the pid, the error log and gunicorn's control
# socket (one per server: gunicorn 27's default, ~/.gunicorn/gunicorn.ctl, would be shared);
# PEER_VENV (default $PEER_OUT/venv) is the peer's virtualenv.
set -e
cd "$(dirname "$0")"
if [ "$1" = --peer ]; then shift; fi
case "$1" in
  machina) port=8900 ;;
  spirit) port=8901 ;;
  *) echo "usage: $0 --peer machina|spirit [gunicorn options, e.g. --daemon]" >&2; exit 2 ;;
esac
peer=$1
shift
PEER_OUT=$(realpath -m "${PEER_OUT:-../out/peers/$peer}")
export PEER_OUT DJANGO_SETTINGS_MODULE="peer_$peer.settings"
mkdir -p "$PEER_OUT"
exec "${PEER_VENV:-$PEER_OUT/venv}/bin/gunicorn" "peer_$peer.wsgi:application" \
  --workers 2 --worker-class sync --bind "127.0.0.1:$port" --control-socket "$PEER_OUT/gunicorn.ctl" \
  --pid "$PEER_OUT/gunicorn.pid" --error-logfile "$PEER_OUT/gunicorn.err.log" "$@"
