// Loaded by mocha before every spec (see .mocharc.json).
// Integration specs read the TEST_* variables exported by scripts/services.sh.
process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'warn';
export {};
