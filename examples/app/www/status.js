// Polls /status and shows it. (A WebSocket feed replaces polling when the
// WebSocket role lands.)
"use strict";
function fmtUptime(s) {
  var d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
  return (d ? d + "d " : "") + (h ? h + "h " : "") + m + "m " + Math.floor(s % 60) + "s";
}
function set(id, text) { document.getElementById(id).textContent = text; }
function refresh() {
  fetch("/status", { cache: "no-store" }).then(function (r) {
    if (!r.ok) throw new Error("HTTP " + r.status);
    return r.json();
  }).then(function (s) {
    set("uptime", fmtUptime(s.uptime));
    set("connections", s.connections.http + " HTTP, " + s.connections.raw + " raw");
    set("requests", String(s.httpRequests));
    set("echoed", s.bytesEchoed + " bytes");
    set("heap", s.heap ? Math.round(s.heap.used / 1024) + " KiB used" : "not known here");
    set("platform", s.platform);
    var st = document.getElementById("state");
    st.className = "muted";
    st.textContent = "updated " + new Date().toLocaleTimeString();
  }).catch(function (e) {
    var st = document.getElementById("state");
    st.className = "error";
    st.textContent = "cannot reach the device: " + e.message;
  });
}
refresh();
setInterval(refresh, 2000);
