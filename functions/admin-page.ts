import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { ADMIN_PAGE_ROUTE, adminPageFiles } from '../shared/admin-page/page-files';

/** The admin page's static files (`/api/admin/ui/`); the data comes from the admin API. */
export async function adminPage(request: HttpRequest): Promise<HttpResponseInit> {
  const files = await adminPageFiles();
  const answer = await files.answer(request.params['path'], { secure: new URL(request.url).protocol === 'https:' });
  return { status: answer.status, headers: answer.headers, ...(answer.body === undefined || request.method === 'HEAD' ? {} : { body: answer.body }) };
}

app.http('adminPage', {
  route: ADMIN_PAGE_ROUTE,
  methods: ['GET', 'HEAD'],
  // The page holds no data; App Service Authentication is in front in Azure and the API checks roles.
  authLevel: 'anonymous',
  handler: adminPage,
});
