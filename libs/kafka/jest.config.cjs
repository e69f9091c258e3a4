module.exports = {
  displayName: 'kafka',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
