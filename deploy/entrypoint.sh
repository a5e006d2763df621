#!/bin/sh
# The image's command: `web` (migrate, then gunicorn) or `worker` (the job consumer).
set -eu
case "${1:-web}" in
  web)
    flask --app wsgi db upgrade heads
    exec gunicorn --config /srv/belonging/gunicorn.conf.py wsgi:app
    ;;
  worker)
    exec flask --app wsgi jobs worker
    ;;
  *)
    exec "$@"
    ;;
esac
