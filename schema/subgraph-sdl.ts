import { readFileSync } from 'node:fs';
import { Kind, parse, visit, type DefinitionNode, type DocumentNode } from 'graphql';
import { subgraphName, type HospitalConfig } from '../lib/config.ts';

/**
 * The subgraph schemas, built from the .graphql files and the hospitals config.
 * The same documents are served by the subgraphs and composed into the supergraph,
 * so the two cannot drift apart.
 */
const read = (file: string) => parse(readFileSync(new URL(file, import.meta.url), 'utf8'));

const fhirDatatypes = read('./fhir-datatypes.graphql');
const fhirResources = read('./fhir-resources.graphql');
const hospitalTemplate = read('../subgraphs/hospital/schema.graphql');
const consentTemplate = read('../subgraphs/consent/schema.graphql');

/** Placeholder type names in the templates. */
const HOSPITAL_CHART_TEMPLATE = 'HospitalChartType';
const CONSENT_STUB_TEMPLATE = 'HospitalChartStub';

function renameType(doc: DocumentNode, from: string, to: string): DocumentNode {
  return visit(doc, {
    Name(node, _key, parent) {
      // Only type names (definitions and references), never field names.
      const p = parent as { kind?: string } | undefined;
      if (node.value === from && (p?.kind === Kind.OBJECT_TYPE_DEFINITION || p?.kind === Kind.NAMED_TYPE)) return { ...node, value: to };
      return undefined;
    },
  });
}

export function hospitalSubgraphDocument(hospital: Pick<HospitalConfig, 'typeName'>): DocumentNode {
  const own = renameType(hospitalTemplate, HOSPITAL_CHART_TEMPLATE, hospital.typeName);
  return { kind: Kind.DOCUMENT, definitions: [...own.definitions, ...fhirDatatypes.definitions, ...fhirResources.definitions] };
}

export function consentSubgraphDocument(hospitals: readonly Pick<HospitalConfig, 'typeName'>[]): DocumentNode {
  const isStub = (d: DefinitionNode) => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === CONSENT_STUB_TEMPLATE;
  const stub = consentTemplate.definitions.find(isStub);
  if (!stub) throw new TypeError(`consent schema lacks the ${CONSENT_STUB_TEMPLATE} template`);
  const stubs = hospitals.map((h) => renameType({ kind: Kind.DOCUMENT, definitions: [stub] }, CONSENT_STUB_TEMPLATE, h.typeName).definitions[0] as DefinitionNode);
  return { kind: Kind.DOCUMENT, definitions: [...consentTemplate.definitions.filter((d) => !isStub(d)), ...stubs, ...fhirDatatypes.definitions] };
}

export const CONSENT_SUBGRAPH = 'consent';

export interface SubgraphDefinition {
  name: string;
  url: string;
  typeDefs: DocumentNode;
}

/** Every subgraph of the graph, with the URLs given (the config's, or where tests started them). */
export function subgraphDefinitions(hospitals: readonly HospitalConfig[], consentUrl: string): SubgraphDefinition[] {
  return [
    { name: CONSENT_SUBGRAPH, url: consentUrl, typeDefs: consentSubgraphDocument(hospitals) },
    ...hospitals.map((h) => ({ name: subgraphName(h), url: h.subgraphUrl, typeDefs: hospitalSubgraphDocument(h) })),
  ];
}
