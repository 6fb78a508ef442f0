/** @type {import('jest').Config} */
export default {
  setupFilesAfterEnv: ['expect-gradcheck/jest'],
  // Native ESM: no transform, so Jest loads the files as they are.
  transform: {},
};
