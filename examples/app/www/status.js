// Shows the device's figures: live over the "lws-status" WebSocket
// protocol, or by polling /status where a WebSocket cannot be opened.
"use strict";
function fmtUptime(s) {
  var d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
  return (d ? d + "d " : "") + (h ? h + "h " : "") + m + "m " + Math.floor(s % 60) + "s";
}
function set(id, text) { document.getElementById(id).textContent = text; }
function state(text, error) {
  var st = document.getElementById("state");
  st.className = error ? "error" : "muted";
  st.textContent = text;
}
function show(s, how) {
  set("uptime", fmtUptime(s.uptime));
  set("connections", s.connections.http + " HTTP, " + s.connections.ws + " WebSocket, " + s.connections.raw + " raw");
  set("requests", String(s.httpRequests));
  set("echoed", s.bytesEchoed + " bytes");
  set("heap", s.heap ? Math.round(s.heap.used / 1024) + " KiB used" : "not known here");
  set("platform", s.platform);
  state("updated " + new Date().toLocaleTimeString() + " (" + how + ")");
}
var timer = null;
function poll() {
  fetch("/status", { cache: "no-store" }).then(function (r) {
    if (!r.ok) throw new Error("HTTP " + r.status);
    return r.json();
  }).then(function (s) { show(s, "polling"); }).catch(function (e) {
    state("cannot reach the device: " + e.message, true);
  });
}
function startPolling() {
  if (timer) return;
  poll();
  timer = setInterval(poll, 2000);
}
function live() {
  var ws;
  try {
    ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/", "lws-status");
  } catch (e) {
    return startPolling();
  }
  ws.onmessage = function (ev) { show(JSON.parse(ev.data), "live"); };
  ws.onclose = function () { startPolling(); };
}
live();
