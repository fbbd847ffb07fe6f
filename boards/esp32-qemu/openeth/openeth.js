// lwsx: the JS side of openeth.c (XS host functions). UNVERIFIED, QEMU only:
// see boards/esp32-qemu/README.md.
export function start() @ "xs_openeth_start";
export function address() @ "xs_openeth_address";
export function stop() @ "xs_openeth_stop";
