import { idAliasOf, PORTERS_RESOURCES } from '../../core/porters/resources';

describe('PORTERS resources', () => {
	it('holds the resource numbers of the PORTERS resource list', () => {
		expect(PORTERS_RESOURCES.candidate.resourceId).toBe(1);
		expect(PORTERS_RESOURCES.resume.resourceId).toBe(17);
		expect(PORTERS_RESOURCES.activity.resourceId).toBe(19);
	});

	it('names candidates Person in field aliases but Candidate as the write root', () => {
		expect(PORTERS_RESOURCES.candidate).toMatchObject({ root: 'Candidate', prefix: 'Person' });
		expect(idAliasOf('candidate')).toBe('Person.P_Id');
		expect(idAliasOf('resume')).toBe('Resume.P_Id');
		expect(idAliasOf('activity')).toBe('Activity.P_Id');
	});
});
