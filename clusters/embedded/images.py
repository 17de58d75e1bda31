"""Container images without a registry: built here from Debian packages (or our own binaries) and imported
into the real node's containerd under the names the labs use.

A recipe says which Debian packages make the image, which upstream image it
stands in for and that image's contract (entrypoint, ports, env, paths).
``mmdebstrap`` makes the root filesystem as a tar; it becomes the first layer of
an OCI archive (a recipe with ``base`` reuses another's; one that ``declares`` adds
a layer saying what it stands in for and contains; one with ``pip`` on a ``base``
adds a layer with this checkout's kubelab), cached under
``<cache>/images/sha256/<manifest digest>.tar`` with ``index.json`` mapping each
recipe to its archive and what it contains.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import platform
import shutil
import subprocess
import tarfile
import tempfile
import time
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..base import STAND_IN_PATH, Progress, quiet
from ..errors import KubelabError
from ..files import load_yaml_file, write_atomic
from ..i18n import N_, _
from . import binaries
from .components import HTTP_ECHO, PAUSE, cache_root
from .containerd import SANDBOX_IMAGE, ctr, image_digests
from .registry import qualified

ARCH = {"x86_64": "amd64", "aarch64": "arm64"}
DPKG_EXCLUDES = ("--dpkgopt=path-exclude=/usr/share/man/*", "--dpkgopt=path-exclude=/usr/share/doc/*",
                 "--dpkgopt=path-exclude=/usr/share/locale/*", "--dpkgopt=path-include=/usr/share/doc/*/copyright")
SUITE = "bookworm"
DELFER_DIGEST = "sha256:60bb774d8408d9d4d5c74d05d1c086a34ce192c6c1a142ffac268cac0dbc6fac"
ARCHIVE_FORMAT = 2  # uncompressed layers: the root filesystem, then (``declares``) the stand-in declaration
# or (``pip`` on a ``base``) this checkout's kubelab
STAND_IN_FILE = "/etc/kubelab/stand-in.json"


class ImageBuildFailed(KubelabError):
    """An image could not be built; the message names the log."""


@dataclass(frozen=True)
class Recipe:
    """One image: its names, what makes it, and the upstream contract it honours."""

    key: str
    names: tuple[str, ...]  # as the labs write them (nginx:1.30); normalised to docker.io/library/… on import
    packages: tuple[str, ...] = ()  # Debian packages; empty for images made from our own binaries
    stands_in_for: str = ""
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    ports: tuple[str, ...] = ()
    env: tuple[str, ...] = ("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",)
    stop_signal: str = ""
    hooks: tuple[str, ...] = ()  # mmdebstrap --customize-hook commands ("$1" is the root)
    revision: int = 1  # bump when the recipe changes in a way its fields do not show
    files: dict = field(default_factory=dict)  # images of our own binaries: path in the image -> Component
    aliases: tuple[str, ...] = ()  # more names given at import only (the archive does not depend on them)
    pip: tuple[str, ...] = ()  # PyPI requirements for a venv in /opt/kubelab ("kubelab[...]": its dependencies;
    # on a ``base``: a layer of this checkout's kubelab alone, installed with --no-deps)
    by_name: bool = False  # built only when named (`kubelab images build course`), never by "build them all"
    workdir: str = ""  # the image's working directory (the root of a Jupyter server's file browser)
    declares: bool = False  # a second layer holds STAND_IN_FILE: the names, what it stands in for, the packages
    base: str = ""  # the recipe whose root filesystem layer this one reuses (one build, an image per upstream tag)
    suite: str = SUITE  # the Debian release the root filesystem comes from

    @property
    def all_names(self) -> tuple[str, ...]:
        return self.names + self.aliases

    def identity(self) -> str:
        """What the cached archive depends on."""
        fields = (ARCHIVE_FORMAT, self.names, self.packages, self.entrypoint, self.cmd, self.ports, self.env,
                  self.stop_signal, self.hooks, self.revision,
                  sorted((path, c.name, c.version) for path, c in self.files.items()))
        if self.pip:  # the venv: uv.lock's pins and kubelab's dependencies; on a base, this checkout's sources
            fields += (self.pip, self.workdir,
                       course_sources_digest() if self.base else [*_requirements(self.pip), _lock_digest()])
        if self.base:
            fields += (RECIPES[self.base].identity(),)
        if self.declares:  # the declaration layer's content
            fields += (self.base, self.stands_in_for, self.all_names)
        if self.suite != SUITE:
            fields += (self.suite,)
        return hashlib.sha256(json.dumps(fields, default=list).encode()).hexdigest()[:16]


NGINX_DEFAULT_CONF = r"""server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;
    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
    location = %s {
        default_type application/json;
        alias %s;
    }
}
""" % (STAND_IN_PATH, STAND_IN_FILE)
NGINX_INDEX = ("<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n"
               "<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is successfully installed "
               "and working.</p>\n</body>\n</html>\n")


def _write_hook(path: str, content: str) -> str:
    quoted = content.replace("'", "'\"'\"'")
    return f"mkdir -p \"$1$(dirname {path})\" && printf '%s' '{quoted}' > \"$1{path}\""


VSFTPD_CONF = """listen=YES
listen_ipv6=NO
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_umask=022
chroot_local_user=YES
allow_writeable_chroot=YES
seccomp_sandbox=NO
pasv_enable=YES
pam_service_name=vsftpd
secure_chroot_dir=/var/run/vsftpd/empty
xferlog_enable=YES
vsftpd_log_file=/var/log/vsftpd.log
"""
# The contract of delfer/alpine-ftp-server: USERS="name|password[|folder][|uid] …", ADDRESS, MIN_PORT, MAX_PORT,
# TLS_CERT/TLS_KEY (then TLS is required for logins and data); arguments run instead of the server.
VSFTPD_START = """#!/bin/sh
set -e
for entry in ${USERS:-alpineftp|alpineftp}; do
  name=$(echo "$entry" | cut -d'|' -f1); pass=$(echo "$entry" | cut -d'|' -f2)
  folder=$(echo "$entry" | cut -d'|' -f3); uid=$(echo "$entry" | cut -d'|' -f4)
  [ -n "$folder" ] || folder="/ftp/$name"
  id "$name" >/dev/null 2>&1 || useradd -d "$folder" -s /usr/sbin/nologin ${uid:+-u "$uid"} "$name"
  mkdir -p "$folder" && chown "$name:" "$folder"
  echo "$name:$pass" | chpasswd
done
[ $# -eq 0 ] || exec "$@"
set -- "-opasv_min_port=${MIN_PORT:-21000}" "-opasv_max_port=${MAX_PORT:-21010}"
[ -z "$ADDRESS" ] || set -- "$@" "-opasv_address=$ADDRESS"
if [ -n "$TLS_CERT" ] || [ -n "$TLS_KEY" ]; then
  set -- "$@" "-orsa_cert_file=$TLS_CERT" "-orsa_private_key_file=$TLS_KEY" -ossl_enable=YES -oallow_anon_ssl=NO \\
    -oforce_local_data_ssl=YES -oforce_local_logins_ssl=YES -ossl_tlsv1=NO -ossl_sslv2=NO -ossl_sslv3=NO \\
    -ossl_ciphers=HIGH
fi
mkdir -p /var/run/vsftpd/empty
exec vsftpd "$@" /etc/vsftpd/vsftpd.conf
"""
# The contract of influxdb:1.8: INFLUXDB_<SECTION>_<KEY> settings (influxd reads them itself); on first start
# INFLUXDB_DB, INFLUXDB_ADMIN_USER/_PASSWORD and INFLUXDB_USER/_PASSWORD create the database and users.
INFLUXDB_ENTRYPOINT = """#!/bin/sh
set -e
if [ $# -eq 0 ] || [ "${1#-}" != "$1" ]; then set -- influxd "$@"; fi
if [ "$1" = influxd ] && [ ! -f /var/lib/influxdb/meta/meta.db ] && [ -n "$INFLUXDB_DB$INFLUXDB_ADMIN_USER$INFLUXDB_USER" ]; then
  INFLUXDB_HTTP_BIND_ADDRESS=127.0.0.1:8087 INFLUXDB_HTTP_AUTH_ENABLED=false influxd & pid=$!
  q() { influx -host 127.0.0.1 -port 8087 -execute "$1"; }
  for i in $(seq 50); do q "SHOW DATABASES" >/dev/null 2>&1 && break; sleep 0.2; done
  [ -z "$INFLUXDB_DB" ] || q "CREATE DATABASE \\"$INFLUXDB_DB\\""
  admin=${INFLUXDB_ADMIN_USER:-}
  if [ -z "$admin" ] && [ "$INFLUXDB_HTTP_AUTH_ENABLED" = true ]; then
    admin=admin; INFLUXDB_ADMIN_PASSWORD=$(head -c 18 /dev/urandom | base64)
  fi
  [ -z "$admin" ] || q "CREATE USER \\"$admin\\" WITH PASSWORD '$INFLUXDB_ADMIN_PASSWORD' WITH ALL PRIVILEGES"
  if [ -n "$INFLUXDB_USER" ]; then
    q "CREATE USER \\"$INFLUXDB_USER\\" WITH PASSWORD '$INFLUXDB_USER_PASSWORD'"
    [ -z "$INFLUXDB_DB" ] || q "GRANT ALL ON \\"$INFLUXDB_DB\\" TO \\"$INFLUXDB_USER\\""
  fi
  kill $pid && wait $pid || true
fi
exec "$@"
"""


# The contract of postgres:17-alpine: POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust),
# POSTGRES_USER, POSTGRES_DB, POSTGRES_INITDB_ARGS, PGDATA; port 5432; the server runs as user postgres and
# listens on every address with password authentication; *.sh and *.sql in /docker-entrypoint-initdb.d run once.
POSTGRES_ENTRYPOINT = """#!/bin/sh
set -e
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
if [ "${1#-}" != "$1" ]; then set -- postgres "$@"; fi
if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    echo "Error: Database is uninitialized and superuser password is not specified." >&2
    echo "       You must specify POSTGRES_PASSWORD to a non-empty value for the superuser." >&2
    exit 1
  fi
  user=${POSTGRES_USER:-postgres}
  pwfile=$(mktemp)
  printf '%s\\n' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb --username="$user" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 $POSTGRES_INITDB_ARGS
  rm -f "$pwfile"
  printf '\\nhost all all all %s\\n' "${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" >> "$PGDATA/pg_hba.conf"
  printf "listen_addresses = '*'\\n" >> "$PGDATA/postgresql.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -k /var/run/postgresql" -w start
  db=${POSTGRES_DB:-$user}
  psql() { command psql -v ON_ERROR_STOP=1 -h /var/run/postgresql --username "$user" --no-password "$@"; }
  [ "$db" = postgres ] || echo "CREATE DATABASE \\"$db\\";" | psql --dbname postgres
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in *.sh) . "$f" ;; *.sql) psql --dbname "$db" -f "$f" ;; esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
fi
exec "$@"
"""


# The contract of mysql:8.4: MYSQL_ROOT_PASSWORD (or MYSQL_ALLOW_EMPTY_PASSWORD / MYSQL_RANDOM_ROOT_PASSWORD) required
# on first start; MYSQL_DATABASE, MYSQL_USER + MYSQL_PASSWORD (all rights on that database), MYSQL_ROOT_HOST ('%');
# *.sh and *.sql in /docker-entrypoint-initdb.d run once; data in /var/lib/mysql; port 3306 on every address;
# the server runs as user mysql.
MARIADB_ENTRYPOINT = """#!/bin/sh
set -e
if [ "${1#-}" != "$1" ]; then set -- mysqld "$@"; fi
if [ "$1" = mysqld ] && [ "$(id -u)" = 0 ]; then
  mkdir -p /var/lib/mysql /run/mysqld
  chown -R mysql:mysql /var/lib/mysql /run/mysqld
fi
if [ "$1" = mysqld ] && [ ! -d /var/lib/mysql/mysql ]; then
  if [ -z "$MYSQL_ROOT_PASSWORD$MYSQL_ALLOW_EMPTY_PASSWORD$MYSQL_RANDOM_ROOT_PASSWORD" ]; then
    echo "error: database is uninitialized and password option is not specified" >&2
    echo "  You need to specify one of MYSQL_ROOT_PASSWORD, MYSQL_ALLOW_EMPTY_PASSWORD and MYSQL_RANDOM_ROOT_PASSWORD" >&2
    exit 1
  fi
  if [ -n "$MYSQL_RANDOM_ROOT_PASSWORD" ] && [ -z "$MYSQL_ROOT_PASSWORD" ]; then
    MYSQL_ROOT_PASSWORD=$(head -c 18 /dev/urandom | base64); echo "GENERATED ROOT PASSWORD: $MYSQL_ROOT_PASSWORD"
  fi
  esc() { printf '%s' "$1" | sed -e 's/[\\\\]/&&/g' -e "s/'/''/g"; }
  mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db --auth-root-authentication-method=normal \\
    >/dev/null
  socket=/run/mysqld/init.sock
  mysqld --user=mysql --skip-networking --socket=$socket & pid=$!
  for i in $(seq 150); do mariadb --socket=$socket -uroot -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.2; done
  q() { mariadb --socket=$socket -uroot "$@"; }
  {
    echo "DROP USER IF EXISTS ''@'localhost', ''@'%';"
    if [ -n "$MYSQL_DATABASE" ]; then echo "CREATE DATABASE IF NOT EXISTS \\`$MYSQL_DATABASE\\`;"; fi
    if [ -n "$MYSQL_USER" ] && [ -n "$MYSQL_PASSWORD" ]; then
      echo "CREATE USER '$(esc "$MYSQL_USER")'@'%' IDENTIFIED BY '$(esc "$MYSQL_PASSWORD")';"
      if [ -n "$MYSQL_DATABASE" ]; then
        echo "GRANT ALL ON \\`$MYSQL_DATABASE\\`.* TO '$(esc "$MYSQL_USER")'@'%';"
      fi
    fi
  } | q
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in *.sh) . "$f" ;; *.sql) q ${MYSQL_DATABASE:+"$MYSQL_DATABASE"} < "$f" ;; esac
  done
  root=$(esc "$MYSQL_ROOT_PASSWORD")
  q <<SQL
CREATE USER IF NOT EXISTS 'root'@'${MYSQL_ROOT_HOST:-%}' IDENTIFIED BY '$root';
GRANT ALL ON *.* TO 'root'@'${MYSQL_ROOT_HOST:-%}' WITH GRANT OPTION;
ALTER USER 'root'@'localhost' IDENTIFIED BY '$root';
FLUSH PRIVILEGES;
SQL
  kill $pid && wait $pid || true
fi
if [ "$1" = mysqld ] && [ "$(id -u)" = 0 ]; then exec setpriv --reuid=mysql --regid=mysql --init-groups "$@"; fi
exec "$@"
"""
MARIADB_CONF = """[mysqld]
bind-address = 0.0.0.0
skip-name-resolve
"""


def _script_hook(path: str, content: str) -> str:
    return _write_hook(path, content) + f" && chmod 755 \"$1{path}\""

# Apache with mod_php in the foreground, as the official PHP images' `apache2-foreground`; logs to the container's.
APACHE_FOREGROUND = """#!/bin/sh
set -e
. /etc/apache2/envvars
mkdir -p "$APACHE_RUN_DIR" "$APACHE_LOCK_DIR" "$APACHE_LOG_DIR"
rm -f "$APACHE_PID_FILE"
exec apache2 -DFOREGROUND "$@"
"""
APACHE_HOOKS = (_script_hook("/usr/local/bin/apache2-foreground", APACHE_FOREGROUND),
                "ln -sf /proc/self/fd/1 \"$1/var/log/apache2/access.log\"",
                "ln -sf /proc/self/fd/2 \"$1/var/log/apache2/error.log\"",
                "ln -sf /proc/self/fd/1 \"$1/var/log/apache2/other_vhosts_access.log\"",
                "echo 'ServerName localhost' > \"$1/etc/apache2/conf-enabled/servername.conf\"")


def _apache_site(root: str) -> str:
    return f"""<VirtualHost *:80>
    DocumentRoot {root}
    <Directory {root}>
        Options FollowSymLinks
        AllowOverride All
        DirectoryIndex index.php index.html
        Require all granted
    </Directory>
</VirtualHost>
"""


# The contract of wordpress:apache: WORDPRESS_DB_HOST, _USER, _PASSWORD, _NAME, WORDPRESS_TABLE_PREFIX,
# WORDPRESS_DEBUG, WORDPRESS_CONFIG_EXTRA; Apache on port 80 serving WordPress at /.
WORDPRESS_CONFIG = """<?php
define('DB_NAME', getenv('WORDPRESS_DB_NAME') ?: 'wordpress');
define('DB_USER', getenv('WORDPRESS_DB_USER') ?: 'example username');
define('DB_PASSWORD', getenv('WORDPRESS_DB_PASSWORD') ?: 'example password');
define('DB_HOST', getenv('WORDPRESS_DB_HOST') ?: 'mysql');
define('DB_CHARSET', getenv('WORDPRESS_DB_CHARSET') ?: 'utf8');
define('DB_COLLATE', getenv('WORDPRESS_DB_COLLATE') ?: '');
define('WP_DEBUG', (bool) getenv('WORDPRESS_DEBUG'));
define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');
$table_prefix = getenv('WORDPRESS_TABLE_PREFIX') ?: 'wp_';
if (getenv('WORDPRESS_CONFIG_EXTRA')) { eval(getenv('WORDPRESS_CONFIG_EXTRA')); }
"""
# The contract of phpmyadmin:apache: PMA_HOST (and PMA_PORT, PMA_ABSOLUTE_URI); Apache on port 80 serving it at /.
PHPMYADMIN_CONFIG = """<?php
$cfg['Servers'][1]['host'] = getenv('PMA_HOST') ?: 'db';
$cfg['Servers'][1]['port'] = getenv('PMA_PORT') ?: '';
$cfg['Servers'][1]['auth_type'] = 'cookie';
$cfg['Servers'][1]['AllowNoPassword'] = false;
if (getenv('PMA_ABSOLUTE_URI')) { $cfg['PmaAbsoluteUri'] = getenv('PMA_ABSOLUTE_URI'); }
$cfg['blowfish_secret'] = trim(file_get_contents('/var/lib/phpmyadmin/blowfish_secret'));
$cfg['TempDir'] = '/var/lib/phpmyadmin/tmp';
"""


# apt, as in the upstream Debian image: a Dockerfile on it installs packages (clusters/embedded/builder.py)
NGINX = Recipe("nginx", ("nginx:1.30", "nginx:1.30-alpine", "nginx:latest"), packages=("nginx-light", "apt"),
               stands_in_for="nginx:1.30 (Docker official image)", cmd=("nginx", "-g", "daemon off;"),
               ports=("80/tcp",), stop_signal="SIGQUIT", declares=True,
               hooks=("rm -f \"$1/etc/nginx/sites-enabled/default\"",
                      _write_hook("/etc/nginx/conf.d/default.conf", NGINX_DEFAULT_CONF),
                      _write_hook("/usr/share/nginx/html/index.html", NGINX_INDEX),
                      _write_hook("/usr/share/nginx/html/50x.html", "<h1>An error occurred.</h1>\n"),
                      "ln -sf /dev/stdout \"$1/var/log/nginx/access.log\"",
                      "ln -sf /dev/stderr \"$1/var/log/nginx/error.log\""))


RECIPES: dict[str, Recipe] = {r.key: r for r in (
    Recipe("pause", (SANDBOX_IMAGE,), stands_in_for="registry.k8s.io/pause:3.10 (our own static Go program)",
           entrypoint=("/pause",), files={"/pause": PAUSE}),
    Recipe("http-echo", ("hashicorp/http-echo:1.0.0",), stands_in_for="hashicorp/http-echo:1.0.0 (built from its Go "
           "module, MPL-2.0)", entrypoint=("/http-echo",), ports=("5678/tcp",), files={"/http-echo": HTTP_ECHO}),
    NGINX,
    # nginx 1.28 and 1.29 (04-rollouts goes 1.28 → 1.30 → 1.28): the same Debian nginx, each image declaring the
    # tag it stands in for (STAND_IN_PATH), so a check can tell a rollout's pods apart without a faked version.
    *(replace(NGINX, key=f"nginx-{tag}", names=(f"nginx:{tag}",), base="nginx",
              stands_in_for=f"nginx:{tag} (Docker official image)") for tag in ("1.28", "1.29")),
    # Debian trixie's busybox 1.37: bookworm's 1.35 (busybox and busybox-static alike) is built without wget's
    # timeout, and `wget -T 2 URL` crashes it (a NULL write in option parsing; Debian enabled -T in 1.36.1-5).
    Recipe("busybox", ("busybox:1.37", "busybox:latest"), packages=("busybox-static",), suite="trixie",
           stands_in_for="busybox:1.37 (Debian trixie's busybox-static with every applet linked in /usr/local/bin)",
           cmd=("sh",), hooks=("chroot \"$1\" busybox --install -s /usr/local/bin",), revision=2),
    # The labs pin delfer/alpine-ftp-server by its digest; the node's image store names our image with that
    # reference too, so the kubelet finds it present (the digest is the upstream image's, not ours).
    Recipe("vsftpd", ("delfer/alpine-ftp-server:latest",), aliases=(f"delfer/alpine-ftp-server@{DELFER_DIGEST}",),
           packages=("vsftpd", "tini", "passwd"),
           stands_in_for="delfer/alpine-ftp-server:latest (vsftpd with TLS)",
           entrypoint=("/usr/bin/tini", "--", "/bin/start_vsftpd.sh"), ports=("21/tcp", "21000-21010/tcp"),
           hooks=(_write_hook("/etc/vsftpd/vsftpd.conf", VSFTPD_CONF),
                  _script_hook("/bin/start_vsftpd.sh", VSFTPD_START),
                  "echo /usr/sbin/nologin >> \"$1/etc/shells\"")),
    Recipe("influxdb", ("influxdb:1.12.3", "influxdb:latest"), packages=("influxdb", "influxdb-client"),
           stands_in_for="influxdb:1.12.3 (Debian ships 1.6.7: the 1.x HTTP API and InfluxQL)",
           entrypoint=("/entrypoint.sh",), cmd=("influxd",), ports=("8086/tcp",),
           env=("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "INFLUXDB_REPORTING_DISABLED=true"),
           hooks=(_script_hook("/entrypoint.sh", INFLUXDB_ENTRYPOINT),)),
    # The upstream image is Alpine with bind-tools (BIND's nslookup, dig, host) beside the agnhost program; the labs
    # run only its shell and nslookup, and their checks read BIND's output format (busybox's differs, and its
    # nslookup ignores the pod's search domains).
    Recipe("agnhost", ("registry.k8s.io/e2e-test-images/agnhost:2.53",), packages=("bind9-dnsutils",),
           stands_in_for="registry.k8s.io/e2e-test-images/agnhost:2.53, for what the labs run in it: a shell and "
           "BIND's nslookup, dig and host (Debian's bind9-dnsutils; upstream installs Alpine's bind-tools); the "
           "agnhost program itself is not included", cmd=("sh",)),
    Recipe("mariadb", ("mysql:8.4",), packages=("mariadb-server",),
           stands_in_for="mysql:8.4 (Debian ships MariaDB 10.11: the MySQL protocol, SQL and the image's MYSQL_* "
           "settings; passwords use mysql_native_password, not caching_sha2_password)",
           entrypoint=("/usr/local/bin/docker-entrypoint.sh",), cmd=("mysqld",), ports=("3306/tcp",),
           hooks=(_script_hook("/usr/local/bin/docker-entrypoint.sh", MARIADB_ENTRYPOINT),
                  _write_hook("/etc/mysql/mariadb.conf.d/99-kubelab.cnf", MARIADB_CONF),
                  "rm -rf \"$1/var/lib/mysql\"/*", "mkdir -p \"$1/docker-entrypoint-initdb.d\"")),
    Recipe("wordpress", ("wordpress:7.0-apache",), packages=("wordpress", "apache2", "libapache2-mod-php", "php-mysql"),
           stands_in_for="wordpress:7.0-apache (Debian ships WordPress 6.1 with Apache and PHP 8.2; the same "
           "WORDPRESS_DB_* settings)", cmd=("apache2-foreground",), ports=("80/tcp",), stop_signal="SIGWINCH",
           hooks=(*APACHE_HOOKS, _write_hook("/etc/wordpress/config-default.php", WORDPRESS_CONFIG),
                  _write_hook("/etc/apache2/sites-available/000-default.conf", _apache_site("/usr/share/wordpress")),
                  "chown -R 33:33 \"$1/var/lib/wordpress/wp-content\"",
                  "rm -rf \"$1/var/www/html\" && ln -s /usr/share/wordpress \"$1/var/www/html\"")),  # upstream's path
    Recipe("phpmyadmin", ("phpmyadmin:5.2-apache",),
           packages=("phpmyadmin", "dbconfig-no-thanks", "apache2", "libapache2-mod-php"),
           stands_in_for="phpmyadmin:5.2-apache (Debian's phpMyAdmin 5.2 with Apache and PHP 8.2; PMA_HOST, "
           "PMA_PORT)", cmd=("apache2-foreground",), ports=("80/tcp",), stop_signal="SIGWINCH",
           hooks=(*APACHE_HOOKS, _write_hook("/etc/phpmyadmin/conf.d/kubelab.php", PHPMYADMIN_CONFIG),
                  _write_hook("/etc/apache2/sites-available/000-default.conf", _apache_site("/usr/share/phpmyadmin")),
                  "rm -f \"$1/etc/apache2/conf-enabled/phpmyadmin.conf\"",
                  "mkdir -p \"$1/var/lib/phpmyadmin/tmp\" && head -c 24 /dev/urandom | base64 > "
                  "\"$1/var/lib/phpmyadmin/blowfish_secret\" && chown -R 33:33 \"$1/var/lib/phpmyadmin\"")),
    Recipe("postgres", ("postgres:17-alpine",), packages=("postgresql-15",),
           stands_in_for="postgres:17-alpine (Debian ships PostgreSQL 15: same SQL and client protocol for the labs)",
           entrypoint=("/usr/local/bin/docker-entrypoint.sh",), cmd=("postgres",), ports=("5432/tcp",),
           stop_signal="SIGINT",
           env=("PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "PGDATA=/var/lib/postgresql/data", "LANG=C.UTF-8"),
           hooks=(_script_hook("/usr/local/bin/docker-entrypoint.sh", POSTGRES_ENTRYPOINT),
                  "rm -rf \"$1/var/lib/postgresql/15\" \"$1/etc/postgresql/15\"",
                  "mkdir -p \"$1/docker-entrypoint-initdb.d\"")),
)}


# -- the course image: JupyterHub's single-user server with kubelab ------------------------------------------
# Two layers. ``course-base``: Debian's Python, a venv in /opt/kubelab with every PyPI dependency of kubelab[lab]
# and jupyterhub at uv.lock's versions, the user jovyan (1000:100, z2jh's default) and the start hook of
# clusters/jupyterhub; it is rebuilt only when uv.lock or the recipe changes (minutes). ``course``: that layer,
# then one with this checkout's kubelab (its wheel, built by pip inside the image's root, with the notebooks,
# installed with --no-deps), rebuilt for every change of the sources (seconds). Only tracked package sources
# enter the build (never a roster, kubeconfig, token, key or journal: tests/test_images.py opens every layer).
CHECKOUT = Path(__file__).resolve().parents[2]
COURSE_SOURCES = ("pyproject.toml", "README.md", "hatch_build.py", "checkers", "clusters", "labs")
SECRET_SUFFIXES = (".key", ".pem", ".kubeconfig", ".csv", ".jsonl", ".token")
START_HOOK = Path(__file__).resolve().parents[1] / "jupyterhub" / "kubelab-start-hook"


def course_sources(root: Path = CHECKOUT) -> list[str]:
    """The tracked files the kubelab wheel is built from; empty outside a git checkout."""
    try:
        proc = subprocess.run(["git", "ls-files", "-z", "--", *COURSE_SOURCES], cwd=root, capture_output=True,
                              timeout=60)
    except (OSError, subprocess.SubprocessError):
        return []
    names = proc.stdout.decode().split("\0") if proc.returncode == 0 else []
    return sorted(n for n in names if n and not n.endswith(SECRET_SUFFIXES) and (root / n).is_file())


@functools.cache
def course_sources_digest() -> str:
    digest = hashlib.sha256()
    for name in course_sources() + ["uv.lock"]:
        digest.update(name.encode() + b"\0")
        with contextlib.suppress(OSError):
            digest.update((CHECKOUT / name).read_bytes())
    return digest.hexdigest()


def _project() -> dict:
    try:
        return tomllib.loads((CHECKOUT / "pyproject.toml").read_text())
    except (OSError, ValueError):
        return {}


def _requirements(pip: tuple[str, ...]) -> list[str]:
    """``pip`` with "kubelab[extras]" replaced by kubelab's own requirements (pyproject.toml): what a venv without
    kubelab itself is made of (at uv.lock's versions)."""
    project = _project().get("project", {})
    found: list[str] = []
    for requirement in pip:
        if requirement.split("[")[0] == "kubelab":
            extras = requirement.partition("[")[2].rstrip("]").split(",")
            found += project.get("dependencies", [])
            found += [r for extra in extras if extra for r in project.get("optional-dependencies", {}).get(extra, [])]
        else:
            found.append(requirement)
    return found


def _lock_digest() -> str:
    try:
        return hashlib.sha256((CHECKOUT / "uv.lock").read_bytes()).hexdigest()
    except OSError:
        return ""


def _locked_constraints() -> str:
    """uv.lock's version of every PyPI package, as pip constraints (not those locked at several versions, one
    per Python version: pip picks those within the project's bounds)."""
    locked: dict[str, set[str]] = {}
    for package in tomllib.loads((CHECKOUT / "uv.lock").read_text()).get("package", []):
        if "registry" in package.get("source", {}):
            locked.setdefault(package["name"], set()).add(package["version"])
    return "".join(f"{name}=={versions.pop()}\n" for name, versions in sorted(locked.items()) if len(versions) == 1)


def _pip_hooks(recipe: Recipe, tmp: Path) -> tuple[str, ...]:
    """Shell commands on the image's root ("$1"): without a base, make the venv and install kubelab's
    dependencies from PyPI (pinned by uv.lock); on a base, build this checkout's wheel there (hatchling in a
    throwaway folder, the dependencies already in the venv) and install it alone. Then remove what came in."""
    if not recipe.pip:
        return ()
    sources = course_sources()
    if not sources or not (CHECKOUT / "uv.lock").is_file():
        raise ImageBuildFailed(_("Image {name} is built from a kubelab checkout (git and uv.lock), which this "
                                 "is not.", name=recipe.names[0]))
    (tmp / "constraints.txt").write_text(_locked_constraints())
    shutil.copyfile(CA_BUNDLE, tmp / "ca.pem")  # this machine's CAs, for pip only; removed below
    env = ('chroot "$1" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root PIP_NO_CACHE_DIR=1 '
           'PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_CERT=/tmp/kubelab/ca.pem SSL_CERT_FILE=/tmp/kubelab/ca.pem ')
    pip = "/opt/kubelab/bin/pip install --no-input -c /tmp/kubelab/constraints.txt "
    copy = f'mkdir -p "$1/tmp/kubelab" && cp {tmp / "constraints.txt"} {tmp / "ca.pem"} "$1/tmp/kubelab/"'
    clean = 'rm -rf "$1/tmp/kubelab" "$1/root/.cache"'
    if not recipe.base:
        requirements = " ".join(f"'{r}'" for r in _requirements(recipe.pip))
        return copy, 'chroot "$1" python3 -m venv /opt/kubelab', env + pip + requirements, clean
    with tarfile.open(tmp / "sources.tar", "w") as tar:
        for name in sources:
            tar.add(CHECKOUT / name, arcname=name, recursive=False)
    backend = " ".join(f"'{r}'" for r in _project().get("build-system", {}).get("requires", []))
    env += "PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=/tmp/kubelab/build "  # the base's modules stay as built
    return (copy, 'mkdir -p "$1/tmp/kubelab/src" && tar -C "$1/tmp/kubelab/src" -xf ' + str(tmp / "sources.tar"),
            env + pip + "--target /tmp/kubelab/build " + backend,
            env + pip + "--no-deps --no-build-isolation /tmp/kubelab/src", clean)

CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
COURSE_BASE = Recipe(
    "course-base", ("kubelab.local/singleuser-base:0.1.0",), by_name=True,
    packages=("python3", "python3-venv", "ca-certificates", "passwd", "tini", "libstdc++6"),  # pyzmq needs it
    pip=("kubelab[lab]", "jupyterhub"),
    stands_in_for="the first layer of ghcr.io/kubelab/singleuser:0.1.0: JupyterLab, jupyterhub-singleuser and "
    "kubelab's dependencies, without kubelab",
    entrypoint=("/usr/bin/tini", "--"), cmd=("jupyterhub-singleuser",), ports=("8888/tcp",), workdir="/home/jovyan",
    env=("PATH=/opt/kubelab/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
         "SHELL=/bin/bash", "NB_USER=jovyan", "NB_UID=1000"),
    hooks=('chroot "$1" useradd --uid 1000 --gid 100 --create-home --shell /bin/bash jovyan',
           _script_hook("/usr/local/bin/kubelab-start-hook", START_HOOK.read_text())))
COURSE = replace(COURSE_BASE, key="course", names=("ghcr.io/kubelab/singleuser:0.1.0",), base=COURSE_BASE.key,
                 pip=("kubelab",), stands_in_for="ghcr.io/kubelab/singleuser:0.1.0 (clusters/jupyterhub/values.yaml's "
                 "image: JupyterLab, jupyterhub-singleuser and this checkout's kubelab)")
RECIPES[COURSE_BASE.key] = COURSE_BASE
RECIPES[COURSE.key] = COURSE

# Images the labs use that cannot be built here: the checks needing them skip with this reason. The images the
# learner builds are not listed: labs/images.yaml says so with `build:` (``learner_built``).
UNAVAILABLE = {
    "grafana/grafana": N_("Grafana is not packaged by Debian and its Go module is AGPL-licensed, so kubelab does "
                         "not build it"),
    "ngrok/ngrok": N_("the ngrok agent is proprietary and needs ngrok's service on the internet"),
    "telegraf": N_("Telegraf is not packaged by Debian bookworm"),
}


def image_dir() -> Path:
    return cache_root() / "images"


def _index() -> dict:
    try:
        return json.loads((image_dir() / "index.json").read_text())
    except (OSError, ValueError):
        return {}


def cached(recipe: Recipe) -> dict | None:
    """The index entry of ``recipe``'s archive, if it is built and its file is there."""
    entry = _index().get(recipe.key)
    if entry and entry.get("identity") == recipe.identity() and Path(entry["archive"]).is_file():
        return entry
    return None


def build(recipe: Recipe, progress: Progress = quiet) -> dict:
    """Build ``recipe`` (unless cached) and return its index entry."""
    entry = cached(recipe)
    if entry:
        return entry
    image_dir().mkdir(parents=True, exist_ok=True)
    log = cache_root() / "logs" / f"image-{recipe.key}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=image_dir(), prefix=".build-") as tmp:
        rootfs = Path(tmp) / "rootfs.tar"
        if recipe.base:
            base = build(RECIPES[recipe.base], progress)
            _extract_layer(base["archive"], base["digest"], 0, rootfs)
            versions = base["packages"]
        elif recipe.packages:
            progress(_("Building image {name} from Debian packages ({packages}); log: {log}",
                       name=recipe.names[0], packages=", ".join(recipe.packages), log=log))
            versions = _debootstrap(recipe, rootfs, log, _pip_hooks(recipe, Path(tmp)))
        else:
            _files_tar(recipe, rootfs, progress)
            versions = {}
        layers = [rootfs]
        if recipe.base and recipe.pip:
            progress(_("Adding this checkout's kubelab to image {name}; log: {log}", name=recipe.names[0], log=log))
            layers.append(_hooks_layer(rootfs, _pip_hooks(recipe, Path(tmp)), log, recipe))
        if recipe.declares:
            layers.append(_declaration_tar(recipe, versions, Path(tmp) / "declaration.tar"))
        archive, digest = _oci_archive(recipe, layers, Path(tmp))
        target = image_dir() / "sha256" / f"{digest}.tar"
        target.parent.mkdir(exist_ok=True)
        archive.replace(target)
    entry = {"identity": recipe.identity(), "archive": str(target), "digest": f"sha256:{digest}",
             "names": list(recipe.names), "packages": versions, "stands_in_for": recipe.stands_in_for,
             "size": target.stat().st_size}
    index = _index()
    index[recipe.key] = entry
    write_atomic(image_dir() / "index.json", json.dumps(index, indent=1))
    return entry


def _debootstrap(recipe: Recipe, rootfs: Path, log: Path, first_hooks: tuple[str, ...] = ()) -> dict[str, str]:
    if shutil.which("mmdebstrap") is None:
        raise ImageBuildFailed(_("mmdebstrap is not installed; install it with `apt-get install mmdebstrap`."))
    versions_file = rootfs.with_suffix(".versions")
    pkgs = ",".join(recipe.packages)
    argv = ["mmdebstrap", "--variant=essential", f"--include={pkgs}", *DPKG_EXCLUDES,
            *(f"--customize-hook={hook}" for hook in first_hooks + recipe.hooks),
            f"--customize-hook=chroot \"$1\" dpkg-query -W -f='${{Package}}=${{Version}}\\n' > {versions_file}",
            "--customize-hook=rm -rf \"$1/var/lib/apt/lists\"/* \"$1/var/cache/apt\"/*",
            recipe.suite, str(rootfs)]
    with open(log, "w") as out:
        out.write("$ " + " ".join(argv) + "\n")
        out.flush()
        proc = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, timeout=1800)
    if proc.returncode != 0:
        raise ImageBuildFailed(_("Building image {name} failed; see {log}", name=recipe.names[0], log=log))
    versions = dict(line.split("=", 1) for line in versions_file.read_text().splitlines() if "=" in line)
    return {p: versions.get(p, "?") for p in recipe.packages}


def _hooks_layer(rootfs: Path, hooks: tuple[str, ...], log: Path, recipe: Recipe) -> Path:
    """Run ``hooks`` (as mmdebstrap runs customize hooks: "$1" is the root) on the root filesystem ``rootfs``
    unpacked; return a layer of what they added or changed (they remove nothing of the base's)."""
    root, marker, layer = rootfs.with_name("root"), rootfs.with_name("marker"), rootfs.with_name("layer.tar")
    root.mkdir()
    with open(log, "w") as out:
        for argv in (["tar", "-C", str(root), "--numeric-owner", "-xpf", str(rootfs)], ["touch", str(marker)],
                     *(["sh", "-c", hook, "sh", str(root)] for hook in hooks)):
            out.write("$ " + " ".join(argv) + "\n")
            out.flush()
            started = time.monotonic()
            if subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, timeout=1800).returncode != 0:
                raise ImageBuildFailed(_("Building image {name} failed; see {log}", name=recipe.names[0], log=log))
            out.write(f"({time.monotonic() - started:.1f} s)\n")
    since = marker.stat().st_ctime_ns  # the change time is set by the kernel: unpacking came before it
    changed = sorted(path for path in root.rglob("*") if path.lstat().st_ctime_ns >= since)
    with tarfile.open(layer, "w", format=tarfile.PAX_FORMAT) as tar:
        for path in changed:
            tar.add(path, arcname=str(path.relative_to(root)), recursive=False)
    return layer


def _files_tar(recipe: Recipe, rootfs: Path, progress: Progress) -> None:
    """A root filesystem of just our own static binaries (built from Go modules when missing)."""
    found = binaries.ensure(progress, tuple(recipe.files.values()))
    with tarfile.open(rootfs, "w", format=tarfile.PAX_FORMAT) as tar:
        for target, component in recipe.files.items():
            source = found[component.binaries[0]]
            info = tar.gettarinfo(str(source), arcname=target.lstrip("/"))
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mtime = 0
            info.mode = 0o755
            with open(source, "rb") as src:
                tar.addfile(info, src)


def _blob(directory: Path, data: bytes) -> tuple[str, int]:
    digest = hashlib.sha256(data).hexdigest()
    (directory / digest).write_bytes(data)
    return digest, len(data)


def _declaration_tar(recipe: Recipe, versions: dict[str, str], path: Path) -> Path:
    """A layer of one file, STAND_IN_FILE: what the image is named, stands in for and really contains."""
    data = json.dumps({"names": list(recipe.all_names), "stands_in_for": recipe.stands_in_for,
                       "contains": versions}, indent=1).encode()
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        folder = tarfile.TarInfo(str(Path(STAND_IN_FILE).parent).lstrip("/"))
        folder.type, folder.mode = tarfile.DIRTYPE, 0o755
        info = tarfile.TarInfo(STAND_IN_FILE.lstrip("/"))
        info.size, info.mode = len(data), 0o644
        tar.addfile(folder)
        tar.addfile(info, io.BytesIO(data))
    return path


def _extract_layer(archive: str, manifest_digest: str, number: int, target: Path) -> None:
    """Copy layer ``number`` of the image ``manifest_digest`` in ``archive`` to ``target``."""
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile(f"blobs/sha256/{manifest_digest.split(':')[1]}"))
        layer = tar.extractfile(f"blobs/sha256/{manifest['layers'][number]['digest'].split(':')[1]}")
        with open(target, "wb") as out:
            shutil.copyfileobj(layer, out, 1 << 20)


def _oci_archive(recipe: Recipe, layers: list[Path], tmp: Path) -> tuple[Path, str]:
    """Turn the uncompressed layer tars into an OCI image archive; return it and its manifest digest."""
    blobs = tmp / "oci" / "blobs" / "sha256"
    blobs.mkdir(parents=True)
    descriptors = []
    for layer in layers:  # uncompressed: the archive never leaves this machine, and imports are faster
        digest = hashlib.sha256()
        with open(layer, "rb") as src:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
        descriptors.append({"mediaType": "application/vnd.oci.image.layer.v1.tar",
                            "digest": f"sha256:{digest.hexdigest()}", "size": layer.stat().st_size})
        layer.replace(blobs / digest.hexdigest())
    config: dict = {"Env": list(recipe.env)}
    if recipe.entrypoint:
        config["Entrypoint"] = list(recipe.entrypoint)
    if recipe.cmd:
        config["Cmd"] = list(recipe.cmd)
    if recipe.ports:
        config["ExposedPorts"] = {p: {} for p in recipe.ports}
    if recipe.stop_signal:
        config["StopSignal"] = recipe.stop_signal
    if recipe.workdir:
        config["WorkingDir"] = recipe.workdir
    image_config = {"architecture": ARCH.get(platform.machine(), "amd64"), "os": "linux", "config": config,
                    "rootfs": {"type": "layers", "diff_ids": [d["digest"] for d in descriptors]},
                    "history": [{"created_by": f"kubelab image recipe {recipe.key}"} for _ in descriptors]}
    config_digest, config_size = _blob(blobs, json.dumps(image_config, sort_keys=True).encode())
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           "digest": f"sha256:{config_digest}", "size": config_size},
                "layers": descriptors}
    manifest_digest, manifest_size = _blob(blobs, json.dumps(manifest, sort_keys=True).encode())
    index = {"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": f"sha256:{manifest_digest}",
         "size": manifest_size, "annotations": {"io.containerd.image.name": qualified(recipe.names[0]),
                                                "org.opencontainers.image.ref.name": recipe.names[0]}}]}
    archive = tmp / "image.tar"
    with tarfile.open(archive, "w") as tar:
        for name, data in (("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", json.dumps(index).encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        tar.add(tmp / "oci" / "blobs", arcname="blobs")
    return archive, manifest_digest


def learner_built(course_catalog: Path) -> dict[str, dict]:
    """The images the course's catalog (``labs/images.yaml``) says the learner builds (``build:``), by name:
    their references and the folder each is built from; empty if the catalog cannot be read."""
    try:
        entries = load_yaml_file(course_catalog)["images"]
    except (KubelabError, KeyError, TypeError):
        return {}
    built: dict[str, dict] = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("build") and entry.get("image"):
            row = built.setdefault(str(entry["image"]), {"names": [], "build": str(entry["build"])})
            row["names"].append(f"{entry['image']}:{entry.get('tag', '')}".rstrip(":"))
    return built


def catalog(course_catalog: Path | None = None) -> list[dict]:
    """Every recipe: its names, what it stands in for, and what the built image contains; then the images that
    cannot be built here, and those the learner builds (read from ``course_catalog``, ``labs/images.yaml``)."""
    rows = []
    for recipe in RECIPES.values():
        entry = cached(recipe) or {}
        rows.append({"image": recipe.key, "names": list(recipe.all_names), "stands_in_for": recipe.stands_in_for,
                     "packages": entry.get("packages") or {p: "" for p in recipe.packages},
                     "contains": "" if recipe.packages else _("a static binary built from Go modules"),
                     "built": bool(entry), "archive": entry.get("archive"), "size": entry.get("size")})
    not_built = {"stands_in_for": "", "packages": {}, "contains": "", "built": False, "archive": None, "size": None}
    rows += [{"image": name, "names": [], **not_built, "unavailable": _(reason)}
             for name, reason in UNAVAILABLE.items()]
    rows += [{"image": name, "names": own["names"], **not_built, "learner_builds": own["build"]}
             for name, own in (learner_built(course_catalog) if course_catalog else {}).items()]
    return rows


def load(node_dir: Path, recipe: Recipe, progress: Progress = quiet) -> None:
    """Build ``recipe`` if needed and import it into the node's containerd under all its names."""
    entry = build(recipe, progress)
    first = qualified(recipe.names[0])
    present = image_digests(node_dir)
    if present.get(first) != entry["digest"]:  # the node's image store outlives clusters: import once
        proc = ctr(node_dir, "images", "import", entry["archive"])
        if proc.returncode != 0:
            raise ImageBuildFailed(_("Importing image {name} into the node failed: {error}", name=first,
                                     error=proc.stderr.strip()))
    for alias in recipe.all_names[1:]:
        if present.get(qualified(alias)) != entry["digest"]:
            ctr(node_dir, "images", "tag", "--force", first, qualified(alias))


def load_built(node_dir: Path) -> None:
    """Import every image already built (never building one: that is `kubelab images build`)."""
    for recipe in RECIPES.values():
        if recipe.key != "pause" and cached(recipe):
            load(node_dir, recipe)
