#!/bin/sh
# Creates or updates the Redis (Valkey) user of each role from users.acl, as the admin (default) user:
#   ACL SETUSER <user> reset on ><password> <rules>
# Idempotent: `reset` drops whatever the user had before, so a rule taken out of users.acl is taken away too.
# Run by the api pods' init container redis-acl (infra/k8s/base/api.yaml) and by RedisAclIT.
#   CRONHOOK_REDIS_ADMIN_URL            redis:// or rediss:// URL of a user allowed ACL SETUSER (the default user)
#   CRONHOOK_REDIS_PASSWORD_<USER>      each user's password (USER upper-cased, - as _: ..._TRY_OUT)
#   CRONHOOK_REDIS_ACL_FILE             default: users.acl beside this script
#   REDIS_CLI                           default: valkey-cli (redis-cli works the same)
set -eu
# the rules hold globs (~cronhook:*): no pathname expansion when they are split into arguments
set -f
file="${CRONHOOK_REDIS_ACL_FILE:-$(dirname "$0")/users.acl}"
cli="${REDIS_CLI:-valkey-cli}"
: "${CRONHOOK_REDIS_ADMIN_URL:?the admin URL is missing}"
users=0
while read -r user rules; do
  case "$user" in '' | '#'*) continue ;; esac
  var="CRONHOOK_REDIS_PASSWORD_$(echo "$user" | tr 'a-z-' 'A-Z_')"
  password=$(printenv "$var" || true)
  if [ -z "$password" ]; then
    echo "redis-acl: $var is not set: user $user not applied" >&2
    exit 1
  fi
  # one argument per rule: $rules is split on purpose
  # shellcheck disable=SC2086
  answer=$("$cli" --no-auth-warning -u "$CRONHOOK_REDIS_ADMIN_URL" ACL SETUSER "$user" reset on ">$password" $rules 2>&1)
  if [ "$answer" != "OK" ]; then
    echo "redis-acl: ACL SETUSER $user: $answer" >&2
    exit 1
  fi
  echo "redis-acl: user $user applied"
  users=$((users + 1))
done < "$file"
[ "$users" -gt 0 ] || { echo "redis-acl: no user in $file" >&2; exit 1; }
