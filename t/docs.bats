#!/usr/bin/env bats
# The README's table of settings against the reference, mixmaster.ini(5)
# Settings: the same settings, none left out of either.
load helpers/common

# The `[_]` settings mixmaster.ini(5) documents, one a line, sorted.
manual_settings() {
  sed -n '/^\.Ss Settings$/,/^\.Ss /p' "$MM_ROOT/man/mixmaster.ini.5" |
    sed -n 's/^\.It Cm \([A-Za-z]*\)$/\1/p' | sort -u
}

# The settings in the README's `| `[_]` key | default | meaning |` table.
readme_settings() {
  sed -n '/^| `\[_\]` key |/,/^$/p' "$MM_ROOT/README.md" |
    sed -n 's/^| `\([A-Za-z]*\)` |.*/\1/p' | sort -u
}

@test "the README's settings table has every setting of mixmaster.ini(5), and only those" {
  manual=$(manual_settings)
  readme=$(readme_settings)
  [ "$(wc -l <<<"$manual")" -ge 18 ]
  run diff <(echo "$manual") <(echo "$readme")
  assert_success
}
