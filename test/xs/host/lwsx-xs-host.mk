# Builds lwsx-xs-host: our XS host (lwsx-xs-host.c) linked with the XS engine sources and the
# platform layer (xsnapPlatform.c) shipped in the @agoric/xsnap npm tarball.
# scripts/xs-engine.mjs drives it; by hand:
#
#   make -j2 -f test/xs/host/lwsx-xs-host.mk XSNAP=<unpacked tarball>/package \
#        OBJ_DIR=<dir for engine objects> OUT=<binary to write> host
#
# "objects" builds only the engine objects (they do not depend on our host source, so a change to
# lwsx-xs-host.c relinks without recompiling the engine); "host" builds both.

ifndef XSNAP
$(error XSNAP must name the unpacked @agoric/xsnap package directory)
endif
ifndef OBJ_DIR
$(error OBJ_DIR must name a directory for the engine objects)
endif

HOST_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
MODDABLE = $(XSNAP)/moddable
XS_DIR = $(MODDABLE)/xs
PLATFORM_DIR = $(XSNAP)/xsnap-native/xsnap/sources
TEXT_DIR = $(MODDABLE)/modules/data/text
OUT ?= $(OBJ_DIR)/lwsx-xs-host

CC ?= cc

# The configuration of xsnap's release build (the platform layer depends on it: snapshots,
# metering, lockdown), plus
#   mxDebug      line numbers in error stacks (it changes neither heap figures nor speed
#                measurably; it connects to xsbug only when XSBUG_HOST is set)
#   mxNoConsole  XS's own reports to stdout (a line for every thrown exception under mxDebug)
#                are off: the host reports errors itself, on stderr
DEFINES = \
	-DINCLUDE_XSPLATFORM \
	-DXSPLATFORM=\"xsnapPlatform.h\" \
	-DmxLockdown=1 \
	-DmxMetering=1 \
	-DmxParse=1 \
	-DmxProfile=1 \
	-DmxRun=1 \
	-DmxSloppy=1 \
	-DmxSnapshot=1 \
	-DmxRegExpUnicodePropertyEscapes=1 \
	-DmxStringNormalize=1 \
	-DmxMinusZero=1 \
	-DmxBoundsCheck=1 \
	-DmxDebug=1 \
	-DmxNoConsole=1 \
	$(EXTRA_DEFINES)
INCLUDES = \
	-I$(XS_DIR)/includes \
	-I$(XS_DIR)/platforms \
	-I$(XS_DIR)/sources \
	-I$(PLATFORM_DIR)
C_OPTIONS = -fno-common -O3 $(DEFINES) $(INCLUDES) \
	-Wno-misleading-indentation -Wno-implicit-fallthrough
HOST_OPTIONS = -Wall -Wno-unused-parameter -Wno-misleading-indentation
LIBRARIES = -ldl -lm -lpthread

ENGINE_SOURCES = $(wildcard $(XS_DIR)/sources/*.c) \
	$(PLATFORM_DIR)/xsnapPlatform.c \
	$(TEXT_DIR)/decoder/textdecoder.c \
	$(TEXT_DIR)/encoder/textencoder.c
OBJECTS = $(addprefix $(OBJ_DIR)/,$(notdir $(ENGINE_SOURCES:.c=.o)))

VPATH = $(XS_DIR)/sources $(PLATFORM_DIR) $(TEXT_DIR)/decoder $(TEXT_DIR)/encoder

.PHONY: objects host
.DELETE_ON_ERROR:

objects: $(OBJECTS)

host: $(OUT)

$(OBJ_DIR)/%.o: %.c | $(OBJ_DIR)
	$(CC) $< $(C_OPTIONS) -c -o $@

$(OBJ_DIR):
	mkdir -p $@

$(OUT): $(HOST_DIR)/lwsx-xs-host.c $(OBJECTS)
	$(CC) $(HOST_DIR)/lwsx-xs-host.c $(C_OPTIONS) $(HOST_OPTIONS) $(OBJECTS) $(LIBRARIES) -o $@
