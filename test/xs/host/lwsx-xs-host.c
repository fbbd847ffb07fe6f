/*
 * lwsx-xs-host: the XS engine host used by the lwsx test lane and benchmarks.
 *
 * It is linked against the XS sources shipped in the @agoric/xsnap npm tarball, in place of that
 * package's own command line program (xsnap.c). The platform layer (memory, script loading, abort)
 * comes from the tarball's xsnapPlatform.c; everything here is ours.
 *
 *   lwsx-xs-host [-q] [-s slots] script.js [script.js ...] [-- arg ...]
 *
 * Scripts are evaluated in order, as scripts (not modules). After each script the promise job queue
 * is drained; then setImmediate callbacks run one at a time, the job queue being drained after each,
 * until nothing is left. There are no timers: time belongs to the platform under test.
 *
 * Globals:
 *   print(...values)      writes the values, separated by spaces, and a newline to stdout
 *   gc()                  runs a full garbage collection
 *   __lwsxHeap()          { slots, chunks, peakSlots, peakChunks, slotSize } read from the machine
 *   __lwsxMeter()         number of XS byte codes executed so far (deterministic, wraps at 2^32)
 *   __lwsxExit(code)      sets the exit status reported when the host ends (like process.exitCode)
 *   __lwsxArgs            array of the strings given after "--" on the command line
 *   setImmediate(fn, ...args)  runs fn(...args) once the job queue has drained
 *   TextEncoder, TextDecoder   Moddable's own implementations (modules/data/text)
 *
 * A promise rejection still unhandled when the job queue drains is passed to
 * globalThis.__lwsxOnUnhandledRejection(reason) when the program defines that function, and is
 * otherwise reported on stderr and fails the run (as in Node).
 *
 * Exit status: the value given to __lwsxExit (0 by default); 1 when it is 0 and an exception escaped
 * a script, a setImmediate callback or __lwsxOnUnhandledRejection, or a promise rejection went
 * unhandled; the machine's abort status (stack overflow, memory full, ...) when the machine
 * aborted; 2 for usage errors.
 * Diagnostics from the host itself go to stderr.
 */

#include "xsAll.h"
#include "xsScript.h"
#include "xsnap.h"

extern void modInstallTextDecoder(xsMachine* the);
extern void modInstallTextEncoder(xsMachine* the);

static int gxExitCode = 0;          /* set by __lwsxExit */
static int gxUncaught = 0;          /* an exception escaped a script or an immediate */
static int gxRejections = 0;        /* promise rejections that were never handled */
static int gxQuiet = 0;             /* -q: do not report unhandled rejections one by one */
static xsSlot gxImmediates;         /* JS array of [callback, argumentsArray], oldest first */
static xsSlot gxArguments;          /* JS array for __lwsxArgs */

/* ---------------------------------------------------------------- output */

/*
 * XS keeps strings in a CESU-8 flavour of UTF-8: a character outside the BMP is stored as two
 * 3-byte surrogate sequences and NUL as the overlong pair C0 80. Convert to plain UTF-8 on the way
 * out; a lone surrogate becomes U+FFFD.
 */
static void lwsxWriteUTF8(FILE* out, const char* s)
{
	const unsigned char* p = (const unsigned char*)s;
	while (*p) {
		unsigned char c = p[0];
		if ((c == 0xC0) && (p[1] == 0x80)) {
			fputc(0, out);
			p += 2;
		}
		else if ((c == 0xED) && ((p[1] & 0xF0) == 0xA0) && p[2]) {
			/* high surrogate: D800..DBFF */
			unsigned int high = 0xD000 | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
			if ((p[3] == 0xED) && ((p[4] & 0xF0) == 0xB0) && p[5]) {
				unsigned int low = 0xD000 | ((p[4] & 0x3F) << 6) | (p[5] & 0x3F);
				unsigned int code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
				fputc(0xF0 | (code >> 18), out);
				fputc(0x80 | ((code >> 12) & 0x3F), out);
				fputc(0x80 | ((code >> 6) & 0x3F), out);
				fputc(0x80 | (code & 0x3F), out);
				p += 6;
			}
			else {
				fputs("\xEF\xBF\xBD", out);
				p += 3;
			}
		}
		else if ((c == 0xED) && ((p[1] & 0xF0) == 0xB0) && p[2]) {
			/* low surrogate without a high one */
			fputs("\xEF\xBF\xBD", out);
			p += 3;
		}
		else {
			fputc(c, out);
			p++;
		}
	}
}

static void lwsx_print(xsMachine* the)
{
	xsIntegerValue count = xsToInteger(xsArgc), index;
	for (index = 0; index < count; index++) {
		/* String(value): symbols print as Symbol(x) rather than throwing */
		xsArg(index) = xsCall1(xsGlobal, xsID("String"), xsArg(index));
	}
	for (index = 0; index < count; index++) {
		if (index)
			fputc(' ', stdout);
		lwsxWriteUTF8(stdout, xsToString(xsArg(index)));
	}
	fputc('\n', stdout);
	fflush(stdout);
}

/*
 * The main host frame has four variables, shared by the helpers below (a C frame may declare its
 * variables only once).
 */
enum {
	mxVarValue = 0,     /* a thrown value or rejection reason being reported */
	mxVarText,          /* its description */
	mxVarCallback,      /* the setImmediate callback being run */
	mxVarArguments,     /* and its arguments */
	mxVarCount
};

/*
 * Describe the value in xsVar(mxVarValue) for a diagnostic: its stack when it has one (XS stacks
 * start with "Name: message"), else String(value). Never throws.
 */
static void lwsxReport(xsMachine* the, const char* where)
{
	fprintf(stderr, "lwsx-xs-host: %s: ", where);
	xsTry {
		xsVar(mxVarText) = xsUndefined;
		if (xsTypeOf(xsVar(mxVarValue)) == xsReferenceType) {
			xsVar(mxVarText) = xsGet(xsVar(mxVarValue), xsID("stack"));
			if (xsTypeOf(xsVar(mxVarText)) != xsStringType)
				xsVar(mxVarText) = xsUndefined;
		}
		if (xsTypeOf(xsVar(mxVarText)) == xsUndefinedType)
			xsVar(mxVarText) = xsCall1(xsGlobal, xsID("String"), xsVar(mxVarValue));
		lwsxWriteUTF8(stderr, xsToString(xsVar(mxVarText)));
	}
	xsCatch {
		fputs("(a value that cannot be converted to a string)", stderr);
	}
	fputc('\n', stderr);
	fflush(stderr);
}

/* ---------------------------------------------------------------- globals */

static void lwsx_gc(xsMachine* the)
{
	xsCollectGarbage();
}

static void lwsx_heap(xsMachine* the)
{
	xsResult = xsNewObject();
	xsSet(xsResult, xsID("slots"), xsNumber((xsNumberValue)the->currentHeapCount));
	xsSet(xsResult, xsID("chunks"), xsNumber((xsNumberValue)the->currentChunksSize));
	xsSet(xsResult, xsID("peakSlots"), xsNumber((xsNumberValue)the->peakHeapCount));
	xsSet(xsResult, xsID("peakChunks"), xsNumber((xsNumberValue)the->peakChunksSize));
	xsSet(xsResult, xsID("slotSize"), xsNumber((xsNumberValue)sizeof(txSlot)));
}

static void lwsx_meter(xsMachine* the)
{
#ifdef mxMetering
	xsResult = xsNumber((xsNumberValue)the->meterIndex);
#else
	xsResult = xsNumber(0);
#endif
}

static void lwsx_exit(xsMachine* the)
{
	gxExitCode = (xsToInteger(xsArgc) > 0) ? xsToInteger(xsArg(0)) : 0;
}

static void lwsx_setImmediate(xsMachine* the)
{
	xsIntegerValue count, index;
	xsVars(2);
	count = xsToInteger(xsArgc);
	if ((count < 1) || !xsIsCallable(xsArg(0)))
		xsTypeError("setImmediate: callback is not a function");
	xsVar(0) = xsNewArray(0);
	for (index = 1; index < count; index++)
		xsCall1(xsVar(0), xsID("push"), xsArg(index));
	xsVar(1) = xsNewArray(0);
	xsCall2(xsVar(1), xsID("push"), xsArg(0), xsVar(0));
	xsCall1(gxImmediates, xsID("push"), xsVar(1));
}

static void lwsxDefine(xsMachine* the, char* name, xsCallback callback, xsIntegerValue length)
{
	xsResult = xsNewHostFunction(callback, length);
	xsDefine(xsGlobal, xsID(name), xsResult, xsDontEnum);
}

/* ---------------------------------------------------------------- scripts */

static char gxSyntaxError[1024];

/* The parser's error reporter: remember "path:line: message" for the SyntaxError we throw. */
static void lwsxParserError(void* console, txString path, txInteger line, txString format, c_va_list arguments)
{
	int length = snprintf(gxSyntaxError, sizeof(gxSyntaxError), "%s:%d: ", path ? path : "?", (int)line);
	if ((length > 0) && (length < (int)sizeof(gxSyntaxError)))
		vsnprintf(gxSyntaxError + length, sizeof(gxSyntaxError) - length, format, arguments);
}

/*
 * Parse a file as a script (sloppy mode unless it says "use strict", line numbers kept for error
 * stacks, no source map: a bundle's map names many sources, which XS cannot use) and run it in
 * the global scope, as <script> would.
 */
static void lwsxRunScriptFile(txMachine* the, txString path)
{
	txSlot* realm = mxProgram.value.reference->next->value.module.realm;
	txParser parserRecord;
	txParser* parser = &parserRecord;
	txParserJump jump;
	txScript* script = C_NULL;
	txString map = C_NULL;
	FILE* file = fopen(path, "r");
	if (!file)
		xsURIError("cannot open %s", path);
	gxSyntaxError[0] = 0;
	fxInitializeParser(parser, the, the->parserBufferSize, the->parserTableModulo);
	parser->reportError = lwsxParserError;
	parser->firstJump = &jump;
	if (c_setjmp(jump.jmp_buf) == 0) {
		parser->path = fxNewParserSymbol(parser, path);
		fxParserTree(parser, file, (txGetter)fgetc, mxProgramFlag | mxDebugFlag, &map);
		if (parser->errorCount == 0) {
			fxParserHoist(parser);
			fxParserBind(parser);
		}
		if (parser->errorCount == 0)
			script = fxParserCode(parser);
	}
	fclose(file);
	fxTerminateParser(parser);
	if (!script) {
		if (!gxSyntaxError[0])
			snprintf(gxSyntaxError, sizeof(gxSyntaxError), "%s: cannot parse", path);
		xsResult = xsString(gxSyntaxError);
		xsResult = xsNew1(xsGlobal, xsID("SyntaxError"), xsResult);
		xsThrow(xsResult);
	}
	mxModuleInstanceInternal(mxProgram.value.reference)->value.module.id = fxID(the, path);
	fxRunScript(the, script, mxRealmGlobal(realm), C_NULL, mxRealmClosures(realm)->value.reference, C_NULL, mxProgram.value.reference);
	mxPullSlot(mxResult);
}

/* ---------------------------------------------------------------- loop */

static void lwsxRunPromiseJobs(xsMachine* the)
{
	while (the->promiseJobs) {
		the->promiseJobs = 0;
		fxRunPromiseJobs(the);
	}
}

/*
 * XS records a promise rejected without a handler in a list, and takes it out again when a handler
 * is attached. As in Node, a rejection still unhandled once the job queue has drained is reported:
 * to globalThis.__lwsxOnUnhandledRejection(reason) when the program defines it (the test harness
 * fails the running test), else on stderr, and it then fails the run.
 * Returns 1 when the handler threw.
 */
static int lwsxCheckRejections(xsMachine* the)
{
	txSlot* list = &mxUnhandledPromises;
	txSlot* entry;
	while ((entry = list->value.reference->next)) {
		txSlot* reason = entry->next;
		list->value.reference->next = reason->next;
		xsVar(mxVarValue).kind = reason->kind;
		xsVar(mxVarValue).value = reason->value;
		xsVar(mxVarCallback) = xsGet(xsGlobal, xsID("__lwsxOnUnhandledRejection"));
		if (xsIsCallable(xsVar(mxVarCallback))) {
			xsTry {
				xsCallFunction1(xsVar(mxVarCallback), xsUndefined, xsVar(mxVarValue));
			}
			xsCatch {
				xsVar(mxVarValue) = xsException;
				xsException = xsUndefined;
				lwsxReport(the, "uncaught exception in __lwsxOnUnhandledRejection");
				return 1;
			}
		}
		else {
			gxRejections++;
			if (!gxQuiet || (gxRejections == 1))
				lwsxReport(the, "unhandled promise rejection");
		}
		lwsxRunPromiseJobs(the);
	}
	return 0;
}

/* Returns 0 when every script ran, 1 when an exception escaped. */
static int lwsxRun(xsMachine* the, char** argv, int scriptCount)
{
	char path[C_PATH_MAX];
	char where[C_PATH_MAX + 32];
	int argi;
	for (argi = 0; argi < scriptCount; argi++) {
		if (!c_realpath(argv[argi], path)) {
			fprintf(stderr, "lwsx-xs-host: cannot find %s\n", argv[argi]);
			return 1;
		}
		xsTry {
			lwsxRunScriptFile(the, path);
		}
		xsCatch {
			xsVar(mxVarValue) = xsException;
			xsException = xsUndefined;
			snprintf(where, sizeof(where), "uncaught exception in %s", argv[argi]);
			lwsxReport(the, where);
			return 1;
		}
		lwsxRunPromiseJobs(the);
		if (lwsxCheckRejections(the))
			return 1;
	}
	for (;;) {
		xsIntegerValue length;
		lwsxRunPromiseJobs(the);
		if (lwsxCheckRejections(the))
			return 1;
		length = xsToInteger(xsGet(gxImmediates, xsID("length")));
		if (length == 0)
			break;
		xsVar(mxVarValue) = xsCall0(gxImmediates, xsID("shift"));
		xsVar(mxVarCallback) = xsGetIndex(xsVar(mxVarValue), 0);
		xsVar(mxVarArguments) = xsGetIndex(xsVar(mxVarValue), 1);
		xsTry {
			xsVar(mxVarValue) = xsGet(xsGlobal, xsID("Reflect"));
			xsCall3(xsVar(mxVarValue), xsID("apply"), xsVar(mxVarCallback), xsUndefined, xsVar(mxVarArguments));
		}
		xsCatch {
			xsVar(mxVarValue) = xsException;
			xsException = xsUndefined;
			lwsxReport(the, "uncaught exception in a setImmediate callback");
			return 1;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- main */

static void lwsxUsage(void)
{
	fprintf(stderr,
		"usage: lwsx-xs-host [-q] [-s slots] script.js [script.js ...] [-- arg ...]\n"
		"  evaluates the scripts in order in one XS machine, then runs promise jobs and\n"
		"  setImmediate callbacks until none are left\n"
		"  -q        report only the first unhandled promise rejection\n"
		"  -s slots  size of the JS stack (default 16384 slots; a device has far fewer)\n"
		"  -v        print the XS version\n");
}

int main(int argc, char* argv[])
{
	xsCreation creation = {
		16 * 1024 * 1024,   /* initialChunkSize */
		4 * 1024 * 1024,    /* incrementalChunkSize */
		256 * 1024,         /* initialHeapCount (slots) */
		128 * 1024,         /* incrementalHeapCount */
		16 * 1024,          /* stackCount (slots): -s */
		32 * 1024,          /* initialKeyCount */
		8 * 1024,           /* incrementalKeyCount */
		1993,               /* nameModulo */
		127,                /* symbolModulo */
		1024 * 1024,        /* parserBufferSize */
		1993,               /* parserTableModulo */
	};
	char** scripts;
	char** extras;
	int scriptCount = 0, extraCount = 0, argi, status = 0, aborted = 0;
	xsMachine* machine;
	txJump guard;

	setvbuf(stdout, NULL, _IOLBF, 0);
	scripts = c_calloc(argc + 1, sizeof(char*));
	extras = c_calloc(argc + 1, sizeof(char*));
	if (!scripts || !extras)
		return 2;
	for (argi = 1; argi < argc; argi++) {
		if (!strcmp(argv[argi], "--")) {
			for (argi++; argi < argc; argi++)
				extras[extraCount++] = argv[argi];
			break;
		}
		if (!strcmp(argv[argi], "-q"))
			gxQuiet = 1;
		else if (!strcmp(argv[argi], "-s") && (argi + 1 < argc) && (atoi(argv[argi + 1]) >= 64))
			creation.stackCount = atoi(argv[++argi]);
		else if (!strcmp(argv[argi], "-v")) {
			char version[64];
			fxVersion(version, sizeof(version));
			printf("XS %s\n", version);
			return 0;
		}
		else if (!strcmp(argv[argi], "-h") || !strcmp(argv[argi], "--help")) {
			lwsxUsage();
			return 0;
		}
		else if (argv[argi][0] == '-') {
			lwsxUsage();
			return 2;
		}
		else
			scripts[scriptCount++] = argv[argi];
	}
	if (scriptCount == 0) {
		lwsxUsage();
		return 2;
	}

	xsInitializeSharedCluster();
	machine = xsCreateMachine(&creation, "lwsx", NULL);
	if (!machine) {
		fprintf(stderr, "lwsx-xs-host: cannot create the XS machine\n");
		return 2;
	}

	/*
	 * The platform's abort (stack overflow, memory full, an exception escaping a promise job)
	 * unwinds to the outermost jump of the machine: this one.
	 */
	guard.nextJump = machine->firstJump;
	guard.stack = machine->stack;
	guard.scope = machine->scope;
	guard.frame = machine->frame;
	guard.environment = NULL;
	guard.code = machine->code;
	guard.flag = 0;
	machine->firstJump = &guard;
	if (c_setjmp(guard.buffer) == 0) {
		xsBeginHost(machine);
		{
			xsVars(mxVarCount);
			gxImmediates = xsNewArray(0);
			xsRemember(gxImmediates);
			gxArguments = xsNewArray(0);
			xsRemember(gxArguments);
			for (argi = 0; argi < extraCount; argi++) {
				xsVar(mxVarText) = xsString(extras[argi]);
				xsCall1(gxArguments, xsID("push"), xsVar(mxVarText));
			}
			xsDefine(xsGlobal, xsID("__lwsxArgs"), gxArguments, xsDontEnum);
			lwsxDefine(the, "print", lwsx_print, 1);
			lwsxDefine(the, "gc", lwsx_gc, 0);
			lwsxDefine(the, "__lwsxHeap", lwsx_heap, 0);
			lwsxDefine(the, "__lwsxMeter", lwsx_meter, 0);
			lwsxDefine(the, "__lwsxExit", lwsx_exit, 1);
			lwsxDefine(the, "setImmediate", lwsx_setImmediate, 1);
			modInstallTextDecoder(the);
			modInstallTextEncoder(the);

			gxUncaught = lwsxRun(the, scripts, scriptCount);
			xsForget(gxImmediates);
			xsForget(gxArguments);
		}
		xsEndHost(machine);
	}
	else
		aborted = 1;
	machine->stack = guard.stack;
	machine->scope = guard.scope;
	machine->frame = guard.frame;
	machine->code = guard.code;
	machine->firstJump = guard.nextJump;

	if (aborted || machine->abortStatus) {
		static const char* reasons[] = {
			"debugger", "not enough memory", "stack overflow", "fatal check", "dead strip",
			"exception escaped a promise job", "no more keys", "too much computation",
			"unhandled rejection",
		};
		status = machine->abortStatus ? machine->abortStatus : 1;
		fprintf(stderr, "lwsx-xs-host: the XS machine aborted: %s (status %d)\n",
			((status >= 0) && (status < (int)(sizeof(reasons) / sizeof(reasons[0])))) ? reasons[status] : "?", status);
	}
	else if (gxExitCode)
		status = gxExitCode;
	else if (gxUncaught)
		status = 1;
	else if (gxRejections) {
		fprintf(stderr, "lwsx-xs-host: %d unhandled promise rejection(s)\n", gxRejections);
		status = 1;
	}
	if (!aborted)
		xsDeleteMachine(machine);
	xsTerminateSharedCluster();
	fflush(stdout);
	c_free(scripts);
	c_free(extras);
	return status & 0xFF ? status & 0xFF : (status ? 1 : 0);
}
