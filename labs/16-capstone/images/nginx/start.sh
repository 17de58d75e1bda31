#!/bin/sh
set -e
mkdir -p /run/sshd
ssh-keygen -A >/dev/null
user="${SSH_USER:-admin}"
id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/sh "$user"
[ -z "$SSH_PASSWORD" ] || echo "$user:$SSH_PASSWORD" | chpasswd
/usr/sbin/sshd
exec nginx -g 'daemon off;'
