#!/usr/bin/env bash
# The machines start PostgreSQL, MariaDB and Redis before a session; start any that
# stopped, so the tests that need them run for real instead of failing on a refused socket.
set -u
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if ! up 5432 && command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
if ! up 3306 && [ -x /usr/sbin/mariadbd ]; then
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
fi
if ! up 6379 && command -v redis-server >/dev/null; then
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
for port in 5432 3306 6379; do
  for _ in $(seq 1 30); do up "$port" && break; sleep 1; done
  up "$port" && echo "service on 127.0.0.1:$port is up" || echo "service on 127.0.0.1:$port is DOWN"
done
