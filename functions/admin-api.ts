import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { adminWebServices } from '../shared/app/services';
import { ADMIN_ROUTES, serveAdminRequest, type AdminHttpRequest, type AdminRoute } from '../shared/admin-web';

/** One route of the admin web API (`/api/admin/...`): the request as plain data to the routing table's handler. */
export async function adminApi(route: AdminRoute, request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const plain: AdminHttpRequest = {
    method: request.method,
    url: new URL(request.url),
    params: { ...request.params },
    header: (name) => request.headers.get(name) ?? undefined,
    body: async () => new Uint8Array(await request.arrayBuffer()),
  };
  const response = await serveAdminRequest(route, plain, { services: adminWebServices(), env: process.env, log: (message) => context.error(message) });
  return {
    status: response.status,
    headers: response.headers,
    body: response.body,
    cookies: response.cookies.map((c) => ({
      name: c.name,
      value: c.value,
      path: c.path,
      httpOnly: c.httpOnly,
      secure: c.secure,
      sameSite: c.sameSite,
      ...(c.maxAge === undefined ? {} : { maxAge: c.maxAge }),
    })),
  };
}

for (const route of ADMIN_ROUTES) {
  app.http(route.name, {
    route: route.route,
    methods: [route.method],
    // App Service Authentication is in front in Azure; the routes check the principal and its roles themselves.
    authLevel: 'anonymous',
    handler: (request, context) => adminApi(route, request, context),
  });
}
