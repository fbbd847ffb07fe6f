// The lws API that callbacks call, as free functions taking the wsi first, so
// code written from the C documentation ports line by line
// (lws_write(wsi, buf, len, LWS_WRITE_TEXT) -> write(wsi, buf, len, LWS_WRITE_TEXT)).

import type { Context, Vhost } from "./context.js";
import { LWS_WRITE_HTTP } from "./constants.js";
import type { PollFd, Protocol, VhostCreationInfo } from "./types.js";
import type { Wsi } from "./wsi.js";
import type { RoleOps } from "./role.js";

/**
 * A role's writer for the lws write protocols other than raw bytes
 * (WebSocket framing, HTTP chunking); roles register one by name.
 */
export type RoleWriter = (wsi: Wsi, data: Uint8Array, protocol: number) => number;
const writers = new Map<string, RoleWriter>();

/** let a role take over write() for its connections */
export function registerWriter(role: RoleOps, writer: RoleWriter): void {
  writers.set(role.name, writer);
}

/**
 * lws_write: send `len` bytes of `buf` (a string is sent as UTF-8). Raw roles
 * send the bytes as they are; other roles frame them per `protocol`
 * (LWS_WRITE_TEXT, LWS_WRITE_BINARY, ... with LWS_WRITE_NO_FIN). What the
 * platform does not take at once is kept and sent before the next WRITEABLE.
 * Returns the number of bytes accepted from the caller, or -1.
 */
export function write(wsi: Wsi, buf: Uint8Array | string, len?: number, protocol: number = LWS_WRITE_HTTP): number {
  let data = typeof buf === "string" ? wsi.context.utf8(buf) : buf;
  if (len !== undefined && len !== data.length) {
    if (len < 0 || len > data.length) throw new RangeError(`lwsx write: len ${len} outside the buffer (${data.length} bytes)`);
    data = data.subarray(0, len);
  }
  const w = wsi.role ? writers.get(wsi.role.name) : undefined;
  if (w) return w(wsi, data, protocol);
  return wsi.context.writeRaw(wsi, data);
}

export function createVhost(context: Context, info: VhostCreationInfo): Vhost {
  return context.createVhost(info);
}

export function contextDestroy(context: Context): void {
  context.destroy();
}

export function vhostDestroy(vh: Vhost): void {
  vh.context.destroyVhost(vh);
}

/** lws_service_fd: service what an external poll loop found ready (null: timers only) */
export function serviceFd(context: Context, pfd: PollFd | null): number {
  return context.serviceFd(pfd);
}

export function callbackOnWritable(wsi: Wsi): number {
  return wsi.context.callbackOnWritable(wsi);
}

/** lws_callback_on_writable_all_protocol: every connection of `protocol`, on every vhost */
export function callbackOnWritableAllProtocol(context: Context, protocol: Protocol): void {
  for (const vh of context.vhosts) context.callbackOnWritableAllProtocolVhost(vh, protocol);
}

export function callbackOnWritableAllProtocolVhost(vh: Vhost, protocol: Protocol): void {
  vh.context.callbackOnWritableAllProtocolVhost(vh, protocol);
}

/** lws_callback_all_protocol: `reason` (usually LWS_CALLBACK_USER + n) to every connection of `protocol` */
export function callbackAllProtocol(context: Context, protocol: Protocol, reason: number): void {
  context.callbackAllProtocol(protocol, reason);
}

export function callbackAllProtocolVhost(vh: Vhost, protocol: Protocol, reason: number): void {
  vh.context.callbackAllProtocolVhostArgs(vh, protocol, reason, null, 0);
}

export function callbackAllProtocolVhostArgs(vh: Vhost, protocol: Protocol, reason: number, argp: unknown, len: number): void {
  vh.context.callbackAllProtocolVhostArgs(vh, protocol, reason, argp, len);
}

/** lws_callback_vhost_protocols_vhost: `reason` to every protocol of the vhost */
export function callbackVhostProtocolsVhost(vh: Vhost, reason: number, argp: unknown, len: number): number {
  return vh.context.callbackVhostProtocols(vh, reason, argp, len);
}

/** lws_callback_vhost_protocols: the same, for the vhost of `wsi` */
export function callbackVhostProtocols(wsi: Wsi, reason: number, argp: unknown, len: number): number {
  return wsi.context.callbackVhostProtocols(wsi.vhost, reason, argp, len);
}

export function rxFlowControl(wsi: Wsi, enable: number | boolean): number {
  return wsi.context.rxFlowControl(wsi, enable);
}

/** lws_rx_flow_allow_all_protocol: enable reception again on every connection of `protocol` */
export function rxFlowAllowAllProtocol(context: Context, protocol: Protocol): void {
  for (const vh of context.vhosts) {
    const i = vh.protocolIndex(protocol);
    if (i >= 0) for (const w of vh.bound[i]!) context.rxFlowControl(w, 1);
  }
}

/** lws_set_timeout */
export function setWsiTimeout(wsi: Wsi, reason: number, secs: number): void {
  wsi.context.setWsiTimeout(wsi, reason, secs);
}

/** lws_set_timeout_us */
export function setWsiTimeoutUs(wsi: Wsi, reason: number, us: number): void {
  wsi.context.setTimeoutUs(wsi, reason, us);
}

/** lws_set_timer_usecs: LWS_CALLBACK_TIMER after `usecs`; LWS_SET_TIMER_USEC_CANCEL cancels */
export function setTimerUsecs(wsi: Wsi, usecs: number): void {
  wsi.context.setTimerUsecs(wsi, usecs);
}

export function cancelService(context: Context): void {
  context.cancelService();
}

/** close a connection now, after flushing what it still has to send */
export function closeWsi(wsi: Wsi, status = 0): void {
  wsi.context.closeWsi(wsi, status, "user");
}

export function sendPipeChoked(wsi: Wsi): boolean {
  return wsi.context.sendPipeChoked(wsi);
}

/** lws_partial_buffered */
export function partialBuffered(wsi: Wsi): boolean {
  return wsi.buffered > 0;
}

export function getContext(wsi: Wsi): Context {
  return wsi.context;
}

export function getVhost(wsi: Wsi): Vhost {
  return wsi.vhost;
}

export function getProtocol(wsi: Wsi): Protocol | null {
  return wsi.protocol;
}

export function getSocketFd(wsi: Wsi): number {
  return wsi.fd;
}

export function getParent(wsi: Wsi): Wsi | null {
  return wsi.parent;
}

/** lws_get_child: the most recently added child */
export function getChild(wsi: Wsi): Wsi | null {
  return wsi.children?.[0] ?? null;
}

export function wsiUser(wsi: Wsi): unknown {
  return wsi.user;
}

export function getOpaqueUserData(wsi: Wsi): unknown {
  return wsi.opaque;
}

export function setOpaqueUserData(wsi: Wsi, data: unknown): void {
  wsi.opaque = data;
}

export function contextUser(context: Context): unknown {
  return context.user;
}

export function getVhostListenPort(vh: Vhost): number {
  return vh.port;
}

export function getVhostByName(context: Context, name: string): Vhost | null {
  return context.vhostByName(name);
}

/** lws_vhost_name_to_protocol */
export function vhostNameToProtocol(vh: Vhost, name: string): Protocol | null {
  return vh.protocolByName(name);
}

export function nowUsecs(context: Context): number {
  return context.platform.now();
}
