// A node:test reporter that counts, per test file, the tests that passed, failed and were skipped (describe blocks
// are not tests), and writes them as one JSON object when the run ends. scripts/run-tests.mjs prints the table.
export default async function* counts(source) {
  const files = {};
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { data } = event;
    if (data.details?.type === 'suite') continue;
    const file = (files[data.file ?? '?'] ??= { pass: 0, fail: 0, skip: 0 });
    if (event.type === 'test:fail') file.fail++;
    else if (data.skip !== undefined || data.todo !== undefined) file.skip++;
    else file.pass++;
  }
  yield JSON.stringify(files);
}
