// scripts/device/xs-figures.mjs: the XS engine's own heap (nothing imported),
// the baseline the other probes are measured against.
gc!();
gc!();
print(JSON.stringify({ probe: "empty", heap: __lwsxHeap() }));
