// lib/auth/role-map: identity-provider groups → one Jobdeck role.
import { describe, expect, test } from "vitest";
import { groupsFromClaims, parseRoleMap, RoleMapError, roleForGroups } from "../../lib/auth/role-map";

describe("parseRoleMap", () => {
  test("pairs, spaces trimmed, empty parts ignored, `=` in a group name kept (the last `=` splits)", () => {
    expect(parseRoleMap(" ops = operator ,, cn=jobdeck-admins=admin, *=viewer ")).toEqual([
      { group: "ops", role: "operator" },
      { group: "cn=jobdeck-admins", role: "admin" },
      { group: "*", role: "viewer" },
    ]);
  });

  test.each([
    ["ops=root", '"ops=root"'],
    ["ops", '"ops"'],
    ["=admin", '"=admin"'],
    ["ops=", '"ops="'],
    ["a=viewer,b=Admin", '"b=Admin"'],
  ])("%j is refused naming %s", (value, part) => {
    expect(() => parseRoleMap(value)).toThrow(RoleMapError);
    expect(() => parseRoleMap(value)).toThrow(part);
  });

  test("an empty map is refused", () => {
    expect(() => parseRoleMap(" , ")).toThrow(/empty/);
  });
});

describe("roleForGroups", () => {
  const map = parseRoleMap("jobdeck-admins=admin,jobdeck-operators=operator,jobdeck-viewers=viewer");

  test("the strongest role any group maps to wins, whatever the order", () => {
    expect(roleForGroups(["jobdeck-viewers", "jobdeck-admins", "jobdeck-operators"], map)).toBe("admin");
    expect(roleForGroups(["jobdeck-viewers", "jobdeck-operators"], map)).toBe("operator");
    expect(roleForGroups(["jobdeck-viewers"], map)).toBe("viewer");
  });

  test("no mapped group → null", () => {
    expect(roleForGroups(["marketing"], map)).toBeNull();
    expect(roleForGroups([], map)).toBeNull();
  });

  test("`*` matches every signed-in user, and a stronger mapped group still wins", () => {
    const withStar = parseRoleMap("*=viewer,sre=operator");
    expect(roleForGroups([], withStar)).toBe("viewer");
    expect(roleForGroups(["marketing"], withStar)).toBe("viewer");
    expect(roleForGroups(["sre"], withStar)).toBe("operator");
  });

  test("group names match exactly (no prefix or case folding)", () => {
    expect(roleForGroups(["JOBDECK-ADMINS", "jobdeck-admins-old"], map)).toBeNull();
  });
});

describe("groupsFromClaims", () => {
  test("an array claim", () => {
    expect(groupsFromClaims({ groups: ["a", "b", "a"] }, "groups")).toEqual(["a", "b"]);
  });

  test("a dotted path (Keycloak realm_access.roles)", () => {
    expect(groupsFromClaims({ realm_access: { roles: ["ops", "admins"] } }, "realm_access.roles")).toEqual(["ops", "admins"]);
    expect(groupsFromClaims({ realm_access: "nope" }, "realm_access.roles")).toEqual([]);
    expect(groupsFromClaims({}, "realm_access.roles")).toEqual([]);
  });

  test("a space- or comma-separated string claim", () => {
    expect(groupsFromClaims({ roles: "ops admins,viewers" }, "roles")).toEqual(["ops", "admins", "viewers"]);
  });

  test("non-strings, empty and oversized entries are dropped; missing claim → []", () => {
    expect(groupsFromClaims({ groups: ["ok", 5, null, "", "x".repeat(257), { a: 1 }] }, "groups")).toEqual(["ok"]);
    expect(groupsFromClaims({}, "groups")).toEqual([]);
    expect(groupsFromClaims({ groups: 42 }, "groups")).toEqual([]);
  });
});
