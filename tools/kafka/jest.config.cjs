module.exports = {
  displayName: 'tools-kafka',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
