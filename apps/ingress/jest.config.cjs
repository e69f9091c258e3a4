module.exports = {
  displayName: 'ingress',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
