# wenze - accountability filters for poverty-alleviation work.
# A plain Makefile: programs are bin/wz-*.c, the library is lib/*.c.
# B is the build folder: "." for the normal build, build/asan for the
# sanitizer build (make asan), so both can sit side by side.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
RULESDIR ?= $(PREFIX)/share/wenze/rules
DESTDIR	?=
B	?= .

CC	?= cc
PKGS	 = yaml-0.1 libpcre2-8 libutf8proc opencc libcrypto libzip expat zlib \
	   xlsxwriter
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
OPT	?= -O2
CFLAGS	?= -g
WARN	 = -Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes \
	   -Wwrite-strings -Wshadow -Wno-unused-parameter
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(PKG_CFLAGS) \
	   -Ilib -DWZ_RULESDIR='"$(RULESDIR)"' $(CFLAGS) $(SAN)
# --as-needed: a program records only the libraries it calls, so wz-cat
# does not load OpenCC, libstdc++ and libcrypto at every start.
LIBS	 = -Wl,--as-needed -lcsv $(PKG_LIBS) -lm
# libzip and expat are opened by wz_xlsx.c with the first workbook,
# OpenCC by wz_text.c with the first text it is needed for, libcrypto by
# wz_sha.c and wz_idcard.c with the first digest or mask (dlopen),
# under the names the linker would have recorded: read here off the
# libraries built against (else the code's Debian 12 names).
soname	 = $(shell objdump -p "$$($(CC) -print-file-name=lib$(1).so)" \
	   2>/dev/null | sed -n 's/^ *SONAME *//p')
SO_ZIP	:= $(call soname,zip)
SO_EXPAT := $(call soname,expat)
SO_OPENCC := $(call soname,opencc)
SO_CRYPTO := $(call soname,crypto)
XLSX_DL	 = $(if $(SO_ZIP),-DWZ_SO_ZIP='"$(SO_ZIP)"') \
	   $(if $(SO_EXPAT),-DWZ_SO_EXPAT='"$(SO_EXPAT)"')
LDFLAGS	?=

# Debian packages the build, the tests, the demo and the bench need.
DEPS	 = gcc make pkg-config libcsv-dev libyaml-dev libpcre2-dev \
	   libutf8proc-dev libopencc-dev libopencc-data opencc libssl-dev \
	   libzip-dev libexpat1-dev libxlsxwriter-dev \
	   libcmocka-dev mandoc clang libclang-rt-14-dev miller sqlite3 \
	   parallel python3 python3-yaml bc time

LIB_SRC	 = $(sort $(wildcard lib/*.c))
LIB_OBJ	 = $(LIB_SRC:%.c=$(B)/%.o)
LIB_A	 = $(B)/lib/libwenze.a
PROG_SRC = $(sort $(wildcard bin/wz-*.c))
PROGS	 = $(PROG_SRC:%.c=$(B)/%)
TOOL_SRC = $(sort $(wildcard tests/tools/*.c))
TOOLS	 = $(TOOL_SRC:%.c=$(B)/%)
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNITS	 = $(UNIT_SRC:%.c=$(B)/%)
MANS	 = $(sort $(wildcard man/*.[1-8]))

.PHONY: all deps check unit golden rules-test manlint asan bench demo \
	stress fuzz fuzz-smoke install uninstall clean

all: $(LIB_A) $(PROGS) $(TOOLS)

$(B)/lib/%.o: lib/%.c lib/*.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/lib/wz_xlsx.o: ALL_CFLAGS += $(XLSX_DL)
$(B)/lib/wz_text.o: ALL_CFLAGS += \
	$(if $(SO_OPENCC),-DWZ_SO_OPENCC='"$(SO_OPENCC)"')
$(B)/lib/wz_sha.o $(B)/lib/wz_idcard.o: ALL_CFLAGS += \
	$(if $(SO_CRYPTO),-DWZ_SO_CRYPTO='"$(SO_CRYPTO)"')

$(LIB_A): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

$(B)/bin/%: bin/%.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_A) $(LIBS)

$(B)/tests/tools/%: tests/tools/%.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_A) $(LIBS)

$(B)/tests/unit/%: tests/unit/%.c tests/unit/*.h $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_A) $(LIBS) -lcmocka

deps:
	@missing=$$(for p in $(DEPS); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	    grep -q '^install ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "deps: all present"; exit 0; fi; \
	echo "deps: installing$$(echo $$missing | sed 's/^/ /')"; \
	if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	$$sudo apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq \
	    --no-install-recommends $$missing

# The whole suite; each part prints its own "N passed, N failed".
check: all $(UNITS)
	@$(MAKE) --no-print-directory unit golden rules-test manlint B=$(B)
	@if [ "$(B)" = . ]; then sh tests/install.sh; fi

unit: $(UNITS)
	@st=0; for t in $(UNITS); do $(TEST_WRAP) $$t || st=1; done; exit $$st

golden: all
	@WZ_BIN=$(B)/bin WZ_TOOLS=$(B)/tests/tools sh tests/run-golden.sh

rules-test: all
	@if [ -x $(B)/bin/wz-rules ] && ls rules/*.yaml >/dev/null 2>&1; \
	then WENZE_RULES=rules $(B)/bin/wz-rules test rules; \
	else echo "rules-test: wz-rules not built yet"; fi

manlint:
	@st=0; n=0; for m in $(MANS); do n=$$((n+1)); \
	    mandoc -Tlint -W warning $$m || st=1; done; \
	echo "manlint: $$n pages checked"; exit $$st

# The suite again under AddressSanitizer and UndefinedBehaviorSanitizer.
asan:
	@$(MAKE) --no-print-directory check B=build/asan CC=clang OPT=-O1 \
	    SAN='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all'

bench: all bench/cputime bench/rawcsv bench/gen
	@sh bench/run.sh

bench/%: bench/%.c $(LIB_A)
	$(CC) $(ALL_CFLAGS) -O2 -o $@ $< $(LIB_A) $(LIBS)

demo: all
	@sh examples/pipeline.sh

stress: all
	@sh tests/stress.sh

fuzz fuzz-smoke:
	@sh tests/fuzz/run.sh $@

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
	    $(DESTDIR)$(RULESDIR)
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)
	for m in $(MANS); do s=$${m##*.}; \
	    install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s; done
	install -m 644 rules/*.yaml $(DESTDIR)$(RULESDIR)

uninstall:
	for p in $(PROGS); do rm -f $(DESTDIR)$(BINDIR)/$${p##*/}; done
	for m in $(MANS); do s=$${m##*.}; \
	    rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	rm -rf $(DESTDIR)$(RULESDIR)
	-rmdir $(DESTDIR)$(PREFIX)/share/wenze 2>/dev/null

clean:
	rm -rf build lib/*.o lib/libwenze.a $(PROGS) $(TOOLS) $(UNITS) \
	    bench/cputime bench/rawcsv bench/gen bench/data
