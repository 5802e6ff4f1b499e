// duro and its SQLite driver load from node_modules at run time, not bundled (better-sqlite3 is a native module);
// /duro/ keeps its trailing slash (the UI's page URL ends in "/", its asset and API URLs are relative to it).
/** @type {import("next").NextConfig} */
export default {
  serverExternalPackages: ["duro", "better-sqlite3"],
  skipTrailingSlashRedirect: true,
  // Only for this example inside duro's own repository, built with --webpack: the shared files import TypeScript with
  // ".js" specifiers, and "duro" is the repository itself (not in node_modules): it is loaded from where it resolves
  // here. In your app, serverExternalPackages is all it takes.
  webpack: (config, { isServer }) => {
    config.resolve.extensionAlias = { ".js": [".ts", ".js"] };
    if (isServer) {
      config.externals.push(({ request }, callback) =>
        /^duro(\/|$)/.test(request ?? "") ? callback(undefined, `module ${import.meta.resolve(request)}`) : callback(),
      );
    }
    return config;
  },
};
