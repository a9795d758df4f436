import { RouteSet } from '../gateway/routes/route-set';

/**
 * User routes under /api/v1 (user JWT). `POST reports` is a stream alias:
 * the action reads the multipart/form-data body itself, within the upload
 * limits (UPLOAD_MAX_PHOTO_BYTES, UPLOAD_MAX_PHOTOS).
 */
export const apiRoutes: RouteSet = {
  aliases: {
    'GET me/real-name': 'power.realName',
    'POST me/real-name': 'power.checkRealName',
    'POST reports': 'stream:power.createReport',
    'GET reports': 'power.listReports',
    'GET reports/:id': 'power.getReport',
    'GET reports/:id/photos/:seq': 'power.photo',
    'GET points': 'power.points',
    'GET points/catalogue': 'power.catalogue',
    'POST points/redemptions': 'power.redeem',
  },
};

/** Operator routes under /admin/api, with the roles allowed per action. */
export const adminRoutes: RouteSet = {
  aliases: {
    'GET reports': 'power.adminListReports',
    'GET reports/:id': 'power.adminGetReport',
    'GET reports/:id/photos/:seq': 'power.adminPhoto',
    'GET points/catalogue': 'power.adminCatalogue',
    'PUT points/catalogue/:itemId': 'power.adminSaveCatalogueItem',
    'GET points/:userId': 'power.adminPoints',
  },
  roles: {
    'power.adminListReports': ['operator', 'auditor'],
    'power.adminGetReport': ['operator', 'auditor'],
    'power.adminPhoto': ['operator', 'auditor'],
    'power.adminPoints': ['operator', 'auditor'],
    'power.adminCatalogue': ['operator', 'auditor'],
    'power.adminSaveCatalogueItem': ['operator'],
  },
};
