#!/usr/bin/env bats
# The mail path the notification tests rely on: msmtp (as `sendmail -t`)
# hands a message to a real SMTP server on loopback, which delivers it into a
# Maildir, where a mail parser reads it back.
load helpers/common
load helpers/mail

setup() {
  mm_private_home
  mm_mail_start
}

teardown() {
  mm_mail_stop
}

# message FILE SUBJECT MESSAGE-ID [IN-REPLY-TO]: a notification-like message.
message() {
  {
    printf 'To: %s\nFrom: %s\nSubject: %s\n' "$MM_MAIL_TO" "$MM_MAIL_FROM" "$2"
    printf 'Date: Wed, 25 Nov 2026 12:00:00 +0000\nMessage-ID: %s\n' "$3"
    if [ -n "${4:-}" ]; then printf 'In-Reply-To: %s\nReferences: %s\n' "$4" "$4"; fi
    printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n'
    printf 'Content-Transfer-Encoding: 8bit\n\n'
    printf 'Mixmaster has started building 01234567 on production.\n\n'
    printf 'https://forge.example.org/compare\n\nFix the frobnicator\n'
  } >"$1"
}

@test "msmtp delivers a message that reads back header by header" {
  message "$BATS_TEST_TMPDIR/m" '[mixmaster] Building example-org/example-repo' \
    '<mixmaster.20261125-120000-1.start@build.example.org>'
  # Split on blanks, like mmbuild splits the config's `sendmail`.
  run $MM_SENDMAIL <"$BATS_TEST_TMPDIR/m"
  assert_success
  mm_mail_wait 1
  run mm_mail 1 Subject
  assert_output '[mixmaster] Building example-org/example-repo'
  run mm_mail 1 To
  assert_output "$MM_MAIL_TO"
  run mm_mail 1 From
  assert_output "$MM_MAIL_FROM"
  run mm_mail 1 Message-ID
  assert_output '<mixmaster.20261125-120000-1.start@build.example.org>'
  # -t took the recipients from To, and only from there.
  run mm_mail 1 X-Envelope-To
  assert_output "$MM_MAIL_TO"
  run mm_mail 1 body
  assert_line --index 0 'Mixmaster has started building 01234567 on production.'
  assert_line 'Fix the frobnicator'
}

@test "an RFC 2047 subject and a UTF-8 body come back decoded" {
  # "[mixmaster] Building équipe/dépôt", base64 encoded-words across two lines.
  message "$BATS_TEST_TMPDIR/m" \
    "$(printf '[mixmaster] Building =?UTF-8?B?w6lxdWlwZS8=?=\n =?UTF-8?B?ZMOpcMO0dA==?=')" \
    '<a@h>'
  printf 'Caf\xc3\xa9 au lait\n' >>"$BATS_TEST_TMPDIR/m"
  run $MM_SENDMAIL <"$BATS_TEST_TMPDIR/m"
  assert_success
  mm_mail_wait 1
  run mm_mail 1 Subject
  assert_output '[mixmaster] Building équipe/dépôt'
  run mm_mail 1 body
  assert_line 'Café au lait'
}

@test "messages come back in the order sent, with their threading headers" {
  message "$BATS_TEST_TMPDIR/start" '[mixmaster] Building a/b' '<mixmaster.j.start@h>'
  message "$BATS_TEST_TMPDIR/end" 'Re: [mixmaster] Building a/b' \
    '<mixmaster.j.end@h>' '<mixmaster.j.start@h>'
  run $MM_SENDMAIL <"$BATS_TEST_TMPDIR/start"
  assert_success
  run $MM_SENDMAIL <"$BATS_TEST_TMPDIR/end"
  assert_success
  mm_mail_wait 2
  run mm_mail_count
  assert_output 2
  run mm_mail 2 In-Reply-To
  assert_output "$(mm_mail 1 Message-ID)"
  run mm_mail 2 References
  assert_output '<mixmaster.j.start@h>'
  run mm_mail 1 In-Reply-To
  assert_output ''
  run mm_mail 3 Subject
  assert_failure
}

@test "a message whose body names other recipients reaches only its To" {
  message "$BATS_TEST_TMPDIR/m" '[mixmaster] Building a/b' '<x@h>'
  printf 'Bcc: someone@else.example\nTo: other@else.example\n' >>"$BATS_TEST_TMPDIR/m"
  run $MM_SENDMAIL <"$BATS_TEST_TMPDIR/m"
  assert_success
  mm_mail_wait 1
  run mm_mail 1 X-Envelope-To
  assert_output "$MM_MAIL_TO"
}

@test "with the server gone msmtp fails with a message to log" {
  message "$BATS_TEST_TMPDIR/m" '[mixmaster] Building a/b' '<x@h>'
  mm_mail_stop
  run $MM_SENDMAIL <"$BATS_TEST_TMPDIR/m"
  assert_failure
  assert_output --partial 'msmtp'
}

@test "the mail settings point a config at the test server" {
  run mm_mail_settings
  assert_line "mailto = $MM_MAIL_TO"
  assert_line "mailfrom = $MM_MAIL_FROM"
  assert_line "sendmail = msmtp -C $MM_MSMTPRC -t"
}
