// A number's life in the inventory: active or inactive, deleted or archived, restored.
// Mounted in the DID router.
import { Router, type Request } from 'express';
import { formatDidNumber } from '../../../domain/did-terms.ts';
import { countDidSubscriptions, findDid } from '../../../db/repos/dids.ts';
import { NotFoundError } from '../../../errors.ts';
import { removeDid, removalOf, restoreDid, setDidStatus } from '../../../services/inventory.ts';
import { currentAccount } from '../../middleware/auth.ts';
import { idParam, validate } from '../../middleware/validate.ts';
import { presentDid } from '../../presenters/dids.ts';
import { flash, renderPage } from '../../render.ts';
import type { AppContext } from '../../context.ts';
import { statusFormSchema } from './schema.ts';

const NO_SUCH_DID = 'There is no such DID';

export function lifecycleRouter({ db, now }: AppContext): Router {
  const router = Router();
  const didId = (req: Request) => idParam(req, 'id', NO_SUCH_DID);

  const statusForm = validate(statusFormSchema);

  router.post('/:id/status', statusForm, async (req, res) => {
    const id = didId(req);
    const { status } = statusForm.data(res);
    const did = await setDidStatus(db, id, status, { actorId: currentAccount(res).id, now: now(), ip: req.ip });
    flash(req, 'success', status === 'active'
      ? `${formatDidNumber(did.number)} is active: it can be sold and its calls are routed.`
      : `${formatDidNumber(did.number)} is inactive: it is neither sold nor routed.`);
    res.redirect(`/admin/dids/${id}`);
  });

  router.get('/:id/remove', async (req, res) => {
    const id = didId(req);
    const did = await findDid(db, id);
    if (!did) throw new NotFoundError(NO_SUCH_DID);
    await renderPage(res, 'admin/dids/remove', {
      title: `Remove ${formatDidNumber(did.number)}`, did: presentDid(did), removal: await removalOf(db, id), subscriptionCount: await countDidSubscriptions(db, id),
    });
  });

  router.post('/:id/remove', async (req, res) => {
    const id = didId(req);
    const did = await findDid(db, id);
    if (!did) throw new NotFoundError(NO_SUCH_DID);
    const outcome = await removeDid(db, id, { actorId: currentAccount(res).id, now: now(), ip: req.ip });
    if (outcome === 'deleted') {
      flash(req, 'success', `${formatDidNumber(did.number)} was deleted.`);
      return res.redirect('/admin/dids');
    }
    flash(req, 'success', `${formatDidNumber(did.number)} was archived: it was sold before, so its history is kept.`);
    res.redirect(`/admin/dids/${id}`);
  });

  router.post('/:id/restore', async (req, res) => {
    const id = didId(req);
    const did = await restoreDid(db, id, { actorId: currentAccount(res).id, now: now(), ip: req.ip });
    flash(req, 'success', `${formatDidNumber(did.number)} is back in the list.`);
    res.redirect(`/admin/dids/${id}`);
  });

  return router;
}
