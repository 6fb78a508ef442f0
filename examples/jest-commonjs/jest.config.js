/** @type {import('jest').Config} */
module.exports = {
  setupFilesAfterEnv: ['expect-gradcheck/jest'],
};
