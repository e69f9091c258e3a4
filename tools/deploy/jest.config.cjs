module.exports = {
  displayName: 'tools-deploy',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
