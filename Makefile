# Mixmaster: four small programs, two systemd services, one configuration file.
# `make` builds build/mmbridge, build/mmbuild, build/mmsetup and build/mmcleanup.
# `make check` installs what is missing (`make deps`), then runs every test.

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/user

CXX ?= g++
CXXFLAGS ?= -O2 -g
override CXXFLAGS += -std=c++17 -Wall -Wextra -Werror
override CPPFLAGS += -Ilib -DMIXMASTER_VERSION='"$(VERSION)"' -MMD -MP
LDFLAGS ?=
override LDFLAGS += -Wl,--as-needed -Wl,-O1

B := build
LIB_SRC := $(sort $(wildcard lib/*.cpp))
LIB_OBJ := $(LIB_SRC:%.cpp=$(B)/obj/%.o)
UNIT_SRC := $(sort $(wildcard t/unit/*_test.cpp))
UNIT_OBJ := $(UNIT_SRC:%.cpp=$(B)/obj/%.o)
# A program is built once its cmd/NAME.cpp exists.
PROGRAMS := $(patsubst cmd/%.cpp,%,$(sort $(wildcard cmd/*.cpp)))
BINS := $(PROGRAMS:%=$(B)/%)
MANPAGES := $(sort $(wildcard man/*.[1-8]))
UNITS := $(sort $(wildcard units/*.socket units/*.service units/*.path))

# Each program links only what it uses: objects come from a static archive, so
# mmbridge never pulls in (or loads) libgit2. mmbridge is linked statically:
# it starts once per request, and loading the shared libstdc++ alone made it
# 3-4x slower than `cat` (t/bench/bridge.sh).
LIBS_mmbridge := -static -lhttp_parser -lnettle
LIBS_mmbuild := -lgit2 -lnettle -lcurl -pthread
LIBS_mmsetup := -lnettle
LIBS_mmcleanup :=

# Debian 12 packages needed to build, test and demo.
DEB_PACKAGES := g++ make pkg-config git rapidjson-dev libcli11-dev libgit2-dev \
  libhttp-parser-dev nettle-dev libgtest-dev bats bats-support bats-assert \
  mandoc curl openssl openssh-client msmtp python3-aiosmtpd clang-format systemd \
  dbus-user-session procps util-linux coreutils
# Commit statuses (mmbuild only).
DEB_PACKAGES += libcurl4-openssl-dev
# The sshd the SSH tests serve ssh:// with (t/mmbuild-ssh.bats).
DEB_PACKAGES += openssh-server
# The web view's browser test (t/web-browser.bats).
DEB_PACKAGES += chromium
# Only for `make bench` (t/bench/deployed.sh): the HTTP client and a peer.
BENCH_PACKAGES := apache2-utils webhook
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps deps-if-missing check unit bats lint format-check format demo bench \
  install uninstall clean

all: $(BINS)

$(B)/obj/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c -o $@ $<

$(B)/libmm.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

# The programs' objects are kept (make would delete them as intermediate),
# so that `make install` after `make` compiles nothing.
.SECONDARY: $(PROGRAMS:%=$(B)/obj/cmd/%.o)

$(B)/%: $(B)/obj/cmd/%.o $(B)/libmm.a
	$(CXX) $(CXXFLAGS) $(LDFLAGS) -o $@ $< $(B)/libmm.a $(LIBS_$*)

$(B)/unit_tests: $(UNIT_OBJ) $(B)/libmm.a
	$(CXX) $(CXXFLAGS) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(B)/libmm.a \
	  -lgtest_main -lgtest -lgit2 -lcurl -lhttp_parser -lnettle -pthread

# Installs only the packages that are missing; `apt-get update` first, since a
# new machine has no package lists.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${db:Status-Abbrev}' $$p 2>/dev/null | grep -q '^ii' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "all Debian packages present"; fi

check: deps
	$(MAKE) all $(B)/unit_tests
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) bats

unit: $(B)/unit_tests
	$(B)/unit_tests

bats: $(BINS)
	bats --print-output-on-failure t/*.bats

lint: format-check
	mandoc -Tlint -W warning $(MANPAGES)
	t/helpers/verify-units $(UNITS)

format-check:
	clang-format --dry-run --Werror $(wildcard cmd/*.cpp lib/*.h lib/*.cpp t/unit/*.cpp)

format:
	clang-format -i $(wildcard cmd/*.cpp lib/*.h lib/*.cpp t/unit/*.cpp)

demo: deps
	$(MAKE) all
	t/demo.sh

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
	for m in $(MANPAGES); do s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	for u in $(UNITS); do sed 's|@BINDIR@|$(BINDIR)|g' $$u > $(DESTDIR)$(UNITDIR)/$${u##*/}; \
	  chmod 644 $(DESTDIR)$(UNITDIR)/$${u##*/}; done

# Removes exactly what install put there, then the directories it made if empty.
uninstall:
	rm -f $(PROGRAMS:%=$(DESTDIR)$(BINDIR)/%)
	for m in $(MANPAGES); do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	for u in $(UNITS); do rm -f $(DESTDIR)$(UNITDIR)/$${u##*/}; done
	@if [ -n "$(DESTDIR)" ]; then \
	  for d in $(BINDIR) $(MANDIR)/man1 $(MANDIR)/man5 $(UNITDIR); do \
	    while [ "$$d" != / ] && [ -n "$$d" ] && rmdir "$(DESTDIR)$$d" 2>/dev/null; do d=$${d%/*}; done; \
	  done; fi

clean:
	rm -rf $(B)

-include $(LIB_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(PROGRAMS:%=$(B)/obj/cmd/%.d)
