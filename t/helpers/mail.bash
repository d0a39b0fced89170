# A real mail path for tests: an SMTP server on loopback that delivers into a
# Maildir (smtp_server.py), msmtp pointed at it as the `sendmail` command, and
# a reader for what arrived (mail_read.py, Python's email package).
# Load after helpers/common:  load helpers/mail
#
#   setup()    { mm_private_home; mm_mail_start; }
#   teardown() { mm_mail_stop; }
#   ... mm_mail_settings >>"$MM_CONFIG"   # mailto, mailfrom, sendmail lines
#   ... mm_mail_wait 2; run mm_mail 2 Subject; assert_output 'Re: ...'
#
# Every wait is a bounded poll. Debian's python3 is needed (python3-aiosmtpd),
# not the first python3 on PATH.

MM_PYTHON=/usr/bin/python3
MM_MAIL_FROM=mixmaster@build.example.org
MM_MAIL_TO=dev@example.org

# mm_mail_start: starts the server for this test. Sets MM_MAILDIR,
# MM_SMTP_PORT, MM_SMTP_PID, MM_MSMTPRC and MM_SENDMAIL ("msmtp -C FILE -t",
# to use as the config's `sendmail`).
mm_mail_start() {
  local dir=$BATS_TEST_TMPDIR/mail i
  mkdir -p "$dir"
  MM_MAILDIR=$dir/Maildir
  # fd 3 closed: bats waits for it, and the server outlives this function.
  "$MM_PYTHON" "$MM_ROOT/t/helpers/smtp_server.py" --maildir "$MM_MAILDIR" \
    --port-file "$dir/port" --lifetime "${MM_SMTP_LIFETIME:-300}" \
    </dev/null >"$dir/server.log" 2>&1 3>&- &
  MM_SMTP_PID=$!
  for ((i = 0; i < 200; i++)); do
    [ -s "$dir/port" ] && break
    kill -0 "$MM_SMTP_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [ ! -s "$dir/port" ]; then
    echo "the SMTP server did not start:" >&2
    cat "$dir/server.log" >&2
    return 1
  fi
  MM_SMTP_PORT=$(cat "$dir/port")
  MM_MSMTPRC=$dir/msmtprc
  mm_mail_msmtprc "$MM_MSMTPRC" "$MM_SMTP_PORT"
  MM_SENDMAIL="msmtp -C $MM_MSMTPRC -t"
}

# mm_mail_msmtprc FILE PORT: an msmtp config for 127.0.0.1:PORT, no auth, no
# TLS. msmtp insists that only its owner can read it.
mm_mail_msmtprc() {
  cat >"$1" <<EOF
defaults
auth off
tls off
timeout 10
syslog off

account default
host 127.0.0.1
port $2
from $MM_MAIL_FROM
EOF
  chmod 600 "$1"
}

# mm_mail_stop: stops the server (TERM, then KILL after 5 s).
mm_mail_stop() {
  local i
  [ -n "${MM_SMTP_PID:-}" ] || return 0
  kill "$MM_SMTP_PID" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$MM_SMTP_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$MM_SMTP_PID" 2>/dev/null || true
  wait "$MM_SMTP_PID" 2>/dev/null || true
  MM_SMTP_PID=
}

# mm_mail_settings [MAILTO]: `[_]` lines that send notifications through the
# test server.
mm_mail_settings() {
  printf 'mailto = %s\nmailfrom = %s\nsendmail = %s\n' \
    "${1:-$MM_MAIL_TO}" "$MM_MAIL_FROM" "$MM_SENDMAIL"
}

# mm_mail_count: how many messages were delivered.
mm_mail_count() {
  "$MM_PYTHON" "$MM_ROOT/t/helpers/mail_read.py" "$MM_MAILDIR" count
}

# mm_mail N FIELD: a field of message N (1 = first delivered): a header name
# (decoded), `headers` (every name), `body` or `raw`.
mm_mail() {
  "$MM_PYTHON" "$MM_ROOT/t/helpers/mail_read.py" "$MM_MAILDIR" "$1" "$2"
}

# mm_mail_wait N: waits (10 s at most) until N messages were delivered.
mm_mail_wait() {
  local i
  for ((i = 0; i < 100; i++)); do
    [ "$(mm_mail_count)" -ge "$1" ] && return 0
    sleep 0.1
  done
  echo "expected $1 messages, got $(mm_mail_count)" >&2
  return 1
}
