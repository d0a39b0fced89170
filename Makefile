# Mixmaster: four small programs, two systemd services, one configuration file.
# `make` builds build/mmbridge, build/mmbuild, build/mmsetup and build/mmcleanup.
# `make check` installs what is missing (`make deps`), then runs every test.

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
# The post-receive hook for a git server of your own (README).
DATADIR ?= $(PREFIX)/share/mixmaster
UNITDIR ?= $(PREFIX)/lib/systemd/user

CXX ?= g++
CXXFLAGS ?= -O2 -g
override CXXFLAGS += -std=c++17 -Wall -Wextra -Werror
override CPPFLAGS += -Ilib -DMIXMASTER_VERSION='"$(VERSION)"' -MMD -MP
LDFLAGS ?=
override LDFLAGS += -Wl,--as-needed -Wl,-O1

# build-san/ for `make check SANITIZE=...` (see below).
B := $(if $(SANITIZE),build-san,build)
LIB_SRC := $(sort $(wildcard lib/*/*.cpp))
LIB_OBJ := $(LIB_SRC:%.cpp=$(B)/obj/%.o)
UNIT_SRC := $(sort $(wildcard t/unit/*/*_test.cpp))
UNIT_OBJ := $(UNIT_SRC:%.cpp=$(B)/obj/%.o)
# What clang-format checks: every C++ file of ours, lib/ and t/unit/ by part.
FORMAT_SRC := $(wildcard cmd/*.cpp lib/*/*.h lib/*/*.cpp t/unit/*/*.h \
  t/unit/*/*.cpp t/fuzz/*.cpp t/fuzz/*.h)
# A program is built once its cmd/NAME.cpp exists.
PROGRAMS := $(patsubst cmd/%.cpp,%,$(sort $(wildcard cmd/*.cpp)))
# The launchers (mmbuild(1) LAUNCHERS) are shell scripts; they are copied
# next to the programs, where the tests and `make install` take them from.
LAUNCHERS := $(notdir $(sort $(wildcard launchers/mm-*)))
BINS := $(PROGRAMS:%=$(B)/%) $(LAUNCHERS:%=$(B)/%)
MANPAGES := $(sort $(wildcard man/*.[1-8]))
UNITS := $(sort $(wildcard units/*.socket units/*.service units/*.path))
GIT_HOOKS := $(wildcard git-hooks/post-receive)

# Each program links only what it uses: objects come from a static archive, so
# mmbridge never pulls in (or loads) libgit2. mmbridge is linked statically:
# it starts once per request, and loading the shared libstdc++ alone made it
# 3-4x slower than `cat` (t/bench/bridge.sh).
LIBS_mmbridge := -static -lhttp_parser -lnettle
LIBS_mmbuild := -lgit2 -lnettle -lcurl -pthread
LIBS_mmsetup := -lnettle
LIBS_mmcleanup :=

# `make check SANITIZE=address,undefined`: everything built into build-san/
# (never mixed with the plain build) with those sanitizers, any report
# fatal, and the whole suite, unit and bats, run against it. mmbridge is
# linked dynamically there: the sanitizer runtimes are shared libraries.
ifneq ($(SANITIZE),)
override CXXFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all \
  -fno-omit-frame-pointer
override LDFLAGS += -fsanitize=$(SANITIZE)
LIBS_mmbridge := -lhttp_parser -lnettle
export ASAN_OPTIONS ?= abort_on_error=0:exitcode=86:detect_leaks=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1:exitcode=86
export LSAN_OPTIONS ?= suppressions=$(abspath t/lsan.supp):print_suppressions=0
endif
# Debian 12's rapidjson (1.1.0) adds an offset to its parser stack's null
# pointer on the first push (internal/stack.h:117; fixed upstream after
# 1.1.0): every JSON parse trips UBSan's pointer-overflow check there. That
# check alone is left out, for forge.cpp alone, the only user of rapidjson.
RAPIDJSON_UBSAN := -fno-sanitize=pointer-overflow
ifneq ($(findstring undefined,$(SANITIZE)),)
$(B)/obj/lib/forge/forge.o: override CXXFLAGS += $(RAPIDJSON_UBSAN)
endif

# libFuzzer targets (t/fuzz/*_fuzz.cpp), built with clang into build-fuzz/
# with ASan and UBSan. `make fuzz` runs each for FUZZ_SECONDS; what a target
# finds goes to build-fuzz/findings/<target>/. Seeds: t/fuzz/seeds/<target>/
# and, for the forge mappers, the payloads of t/fixtures. (clang, unlike
# g++, warns about libgit2's *_INIT macros: -Wno-missing-field-initializers.)
FUZZ_SECONDS ?= 60
FB := build-fuzz
FUZZ_CXX ?= clang++
FUZZ_FLAGS := -g -O1 -std=c++17 -Wall -Wextra -Werror -fno-omit-frame-pointer \
  -Wno-missing-field-initializers \
  -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS := $(patsubst t/fuzz/%_fuzz.cpp,%,$(sort $(wildcard t/fuzz/*_fuzz.cpp)))
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FB)/%_fuzz)
FUZZ_LIB_OBJ := $(LIB_SRC:%.cpp=$(FB)/obj/%.o)
FUZZ_PACKAGES := clang libclang-rt-14-dev

# Debian 12 packages needed to build, test and demo.
DEB_PACKAGES := g++ make pkg-config git rapidjson-dev libcli11-dev libgit2-dev \
  libhttp-parser-dev nettle-dev libgtest-dev libgmock-dev bats bats-support bats-assert \
  mandoc curl openssl openssh-client msmtp python3-aiosmtpd clang-format systemd \
  dbus-user-session procps util-linux coreutils
# Commit statuses (mmbuild only).
DEB_PACKAGES += libcurl4-openssl-dev
# The sshd the SSH tests serve ssh:// with (t/mmbuild-ssh.bats).
DEB_PACKAGES += openssh-server
# The web view's browser test (t/web-browser.bats).
DEB_PACKAGES += chromium
# GNU time: peak memory in t/web.bats and t/bench/bridge.sh (a minimal
# Debian has no /usr/bin/time).
DEB_PACKAGES += time
# strace: `make faults` (t/faults/) and the tests that fail one call the
# way it does.
DEB_PACKAGES += strace
# The single-node Slurm of the launcher tests (t/helpers/slurm.bash). Their
# system services stay disabled (see deps): the tests start their own
# daemons, and a machine that had no Slurm is not made a cluster node.
DEB_PACKAGES += slurm-wlm munge
SERVICES_OFF := munge.service slurmctld.service slurmd.service
# Only for `make bench` (t/bench/deployed.sh): the HTTP client and a peer.
BENCH_PACKAGES := apache2-utils webhook
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: fuzz fuzz-deps fuzz-build
.PHONY: all deps deps-if-missing check unit bats lint format-check format demo bench \
  install uninstall clean

all: $(BINS)

$(B)/obj/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c -o $@ $<

# The unit tests' shared helpers are t/unit/support/*.h, included as
# "support/foo.h".
$(B)/obj/t/unit/%.o: override CPPFLAGS += -It/unit

$(B)/libmm.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

# The programs' objects are kept (make would delete them as intermediate),
# so that `make install` after `make` compiles nothing.
.SECONDARY: $(PROGRAMS:%=$(B)/obj/cmd/%.o)

$(B)/%: $(B)/obj/cmd/%.o $(B)/libmm.a
	$(CXX) $(CXXFLAGS) $(LDFLAGS) -o $@ $< $(B)/libmm.a $(LIBS_$*)

$(B)/mm-%: launchers/mm-%
	@mkdir -p $(@D)
	sh -n $<
	install -m 755 $< $@

$(B)/unit_tests: $(UNIT_OBJ) $(B)/libmm.a
	$(CXX) $(CXXFLAGS) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(B)/libmm.a \
	  -lgmock -lgtest_main -lgtest -lgit2 -lcurl -lhttp_parser -lnettle -pthread

# Installs only the packages that are missing; `apt-get update` first, since a
# new machine has no package lists. Neither root nor sudo: it names them and
# the line to run as root, and fails.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${db:Status-Abbrev}' $$p 2>/dev/null | grep -q '^ii' || echo $$p; done); \
	missing=$$(echo $$missing); \
	if [ -z "$$missing" ]; then echo "all Debian packages present"; \
	elif [ -n "$(SUDO)" ] && ! command -v $(SUDO) >/dev/null; then \
	  echo "make deps: these Debian packages are missing: $$missing" >&2; \
	  echo "make deps: you are not root and there is no sudo; as root, run:" >&2; \
	  echo "  apt-get update && apt-get install -y --no-install-recommends $$missing" >&2; \
	  exit 1; \
	else \
	  echo "installing: $$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing && \
	  $(MAKE) --no-print-directory services-off NEW_PACKAGES="$$missing"; \
	fi

# The system services of packages `make deps` just installed (only those:
# a Slurm or munge set up before is left as it was) are stopped and
# disabled; `systemctl --root` also works where systemd is not running.
.PHONY: services-off
services-off:
	@case " $(NEW_PACKAGES) " in *" munge "*|*" slurm-wlm "*) \
	  echo "disabling $(SERVICES_OFF)"; \
	  if [ "$$(cat /proc/1/comm)" = systemd ]; then \
	    $(SUDO) systemctl disable --now --quiet $(SERVICES_OFF); \
	  else $(SUDO) systemctl --root=/ disable --quiet $(SERVICES_OFF); fi;; \
	esac

# What `make deps` installs, and clang: a plain `make check` needs no clang.
fuzz-deps:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES='$(DEB_PACKAGES) $(FUZZ_PACKAGES)'

$(FB)/obj/%.o: %.cpp
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(CPPFLAGS) -It/fuzz $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FB)/obj/lib/forge/forge.o: FUZZ_FLAGS += $(RAPIDJSON_UBSAN)

$(FB)/libmm.a: $(FUZZ_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(FB)/%_fuzz: $(FB)/obj/t/fuzz/%_fuzz.o $(FB)/libmm.a
	$(FUZZ_CXX) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FB)/libmm.a \
	  -lhttp_parser -lnettle

fuzz-build: $(FUZZ_BINS)
# Kept, so that `make fuzz` does not compile the targets again each time.
.SECONDARY: $(FUZZ_TARGETS:%=$(FB)/obj/t/fuzz/%_fuzz.o)

# Each target for FUZZ_SECONDS, one after the other; the last line of each
# run (`cov:`, `exec/s`) is printed, and the first failure stops the loop.
fuzz: fuzz-deps
	$(MAKE) fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FB)/corpus/$$t $(FB)/findings/$$t $(FB)/seeds/$$t; \
	  case $$t in \
	    forge_gitea) { echo push; cat t/fixtures/gitea-push.json; } >$(FB)/seeds/$$t/gitea-push;; \
	    forge_github) { echo push; cat t/fixtures/github-push.json; } >$(FB)/seeds/$$t/github-push;; \
	    forge_gitlab) { echo 'Push Hook'; cat t/fixtures/gitlab-push.json; } >$(FB)/seeds/$$t/gitlab-push; \
	      { echo 'Tag Push Hook'; cat t/fixtures/gitlab-tag-push.json; } >$(FB)/seeds/$$t/gitlab-tag-push;; \
	  esac; \
	  seeds=$(FB)/seeds/$$t; [ -d t/fuzz/seeds/$$t ] && seeds="$$seeds t/fuzz/seeds/$$t"; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  $(FB)/$${t}_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=1024 \
	    -artifact_prefix=$(FB)/findings/$$t/ -print_final_stats=1 \
	    $(FB)/corpus/$$t $$seeds >$(FB)/$$t.log 2>&1 || { tail -50 $(FB)/$$t.log; exit 1; }; \
	  grep -E '^#[0-9]+.*(DONE|cov:)' $(FB)/$$t.log | tail -1; \
	done

# Every step with a TMPDIR of its own; then t/helpers/no-leftovers lists
# what the run left behind (a process, a file, a test account, a cgroup)
# and fails if there is anything.
check: deps
	@t/helpers/no-leftovers $(MAKE) --no-print-directory check-steps

.PHONY: check-steps
check-steps:
	$(MAKE) all $(B)/unit_tests
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) bats

unit: $(B)/unit_tests
	$(B)/unit_tests

# The bats files find the programs in MM_BIN (t/helpers/common.bash). The
# suites of the deployed units run as a normal account, as users deploy
# them: as root, t/helpers/as-test-user makes a throwaway one for them.
DEPLOYED_BATS := t/units.bats t/e2e.bats t/load.bats
bats: $(BINS)
	@status=0; \
	echo "bats: $(filter-out $(DEPLOYED_BATS),$(wildcard t/*.bats))"; \
	MM_BIN=$(abspath $(B)) bats --print-output-on-failure \
	  $(filter-out $(DEPLOYED_BATS),$(wildcard t/*.bats)) || status=1; \
	echo "bats, as a normal account: $(DEPLOYED_BATS)"; \
	MM_BIN=$(abspath $(B)) MM_SANITIZE=$(SANITIZE) t/helpers/as-test-user \
	  bats --print-output-on-failure $(DEPLOYED_BATS) || status=1; \
	exit $$status

# The folder rules of lib/ (lib/README.md) over every #include line.
lint: format-check $(BINS)
	t/helpers/check-includes
	mandoc -Tlint -W warning $(MANPAGES)
	t/helpers/verify-units --bindir $(abspath $(B)) $(UNITS)

format-check:
	clang-format --dry-run --Werror $(FORMAT_SRC)

format:
	clang-format -i $(FORMAT_SRC)

demo: deps
	$(MAKE) all
	t/demo.sh

# Every failure point tried (README, Reliability): t/faults/run records the
# system calls of each scenario with strace, then fails each call in turn
# (EIO, ENOSPC, EINTR, EMFILE, ... where it can return them) and kills the
# program at it, and checks after each run, and after the next mmbuild,
# that nothing was lost, built twice or half-written. FAULTS_ARGS picks
# scenarios (t/faults/run --help); `--sample` is the CI's share.
FAULTS_ARGS ?=
.PHONY: faults
faults: deps
	$(MAKE) all
	nice t/faults/run --bin $(abspath $(B)) $(FAULTS_ARGS)

# The same, for the packages only `make bench` needs.
.PHONY: bench-deps
bench-deps:
	$(MAKE) deps DEB_PACKAGES='$(BENCH_PACKAGES)'

bench: deps bench-deps
	$(MAKE) all
	t/bench/run

install: $(BINS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(UNITDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)/
	$(if $(GIT_HOOKS),install -d $(DESTDIR)$(DATADIR))
	$(if $(GIT_HOOKS),install -m 755 $(GIT_HOOKS) $(DESTDIR)$(DATADIR)/)
	for m in $(MANPAGES); do s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	for u in $(UNITS); do sed 's|@BINDIR@|$(BINDIR)|g' $$u > $(DESTDIR)$(UNITDIR)/$${u##*/}; \
	  chmod 644 $(DESTDIR)$(UNITDIR)/$${u##*/}; done

# Removes exactly what install put there, then the directories it made if empty.
uninstall:
	rm -f $(PROGRAMS:%=$(DESTDIR)$(BINDIR)/%) $(LAUNCHERS:%=$(DESTDIR)$(BINDIR)/%)
	for m in $(MANPAGES); do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	for u in $(UNITS); do rm -f $(DESTDIR)$(UNITDIR)/$${u##*/}; done
	rm -f $(GIT_HOOKS:git-hooks/%=$(DESTDIR)$(DATADIR)/%)
	rmdir $(DESTDIR)$(DATADIR) 2>/dev/null || true
	@if [ -n "$(DESTDIR)" ]; then \
	  for d in $(BINDIR) $(MANDIR)/man1 $(MANDIR)/man5 $(UNITDIR); do \
	    while [ "$$d" != / ] && [ -n "$$d" ] && rmdir "$(DESTDIR)$$d" 2>/dev/null; do d=$${d%/*}; done; \
	  done; fi

clean:
	rm -rf $(B) $(FB)

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_TARGETS:%=$(FB)/obj/t/fuzz/%_fuzz.d)
-include $(LIB_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(PROGRAMS:%=$(B)/obj/cmd/%.d)
