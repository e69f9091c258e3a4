module.exports = {
  displayName: 'connector-__name__',
  preset: '__root__/jest.preset.cjs',
  rootDir: __dirname,
};
