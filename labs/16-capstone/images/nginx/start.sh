#!/bin/sh
set -e
ssh-keygen -A >/dev/null
user="${SSH_USER:-admin}"
id "$user" >/dev/null 2>&1 || adduser -D -s /bin/sh "$user"
[ -z "$SSH_PASSWORD" ] || echo "$user:$SSH_PASSWORD" | chpasswd
/usr/sbin/sshd
exec nginx -g 'daemon off;'
